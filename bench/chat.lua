-- wrk script: POST /chat/completions with a valid body (openai.yaml)
wrk.method = "POST"
wrk.body   = '{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Hello!"}],"temperature":0.2}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-test"
