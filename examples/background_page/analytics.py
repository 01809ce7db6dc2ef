from fastrapi import FastrAPI, BackgroundTasks
from datetime import datetime

app = FastrAPI()

def log_to_database(user_id: int, endpoint: str, timestamp: datetime):
    print(f"Logging: User {user_id} accessed {endpoint} at {timestamp}")
    # Write to database or logging service

@app.get("/api/data")
def get_data(user_id: int, background_tasks: BackgroundTasks):
    # Log the access in background
    background_tasks.add_task(
        log_to_database,
        user_id,
        "/api/data",
        datetime.now()
    )
    
    return {"data": [1, 2, 3, 4, 5]}
