from fastrapi import FastrAPI, BackgroundTasks

app = FastrAPI()
cache = {}

def warm_cache(user_id: int):
    print(f"Warming cache for user {user_id}")
    # Fetch and cache user data
    cache[user_id] = {"name": "John", "preferences": {...}}

@app.post("/users/{user_id}/settings")
def update_settings(user_id: int, settings: dict, background_tasks: BackgroundTasks):
    # Update settings in database
    # ...
    
    # Refresh cache in background
    background_tasks.add_task(warm_cache, user_id)
    
    return {"message": "Settings updated"}
