-- wrk script: GET /api/available-models with a bearer token from the TOKEN environment variable.
wrk.method = "GET"
wrk.path = "/api/available-models"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
