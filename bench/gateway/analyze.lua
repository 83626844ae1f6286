-- wrk script: POST /api/analyze with a bearer token from the TOKEN environment variable.
-- Usage: TOKEN=$(ultra token --sub bench) wrk -t2 -c16 -d15s -s bench/gateway/analyze.lua --latency http://127.0.0.1:8000
wrk.method = "POST"
wrk.path = "/api/analyze"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"prompt":"What are the main risks of microservices?","selected_models":["gpt4o","claude3sonnet","gemini15flash"],"ultra_model":"gpt4o"}'
