from fastrapi import FastrAPI, BackgroundTasks

app = FastrAPI()

def log_activity(user_id: int, action: str):
    print(f"User {user_id} performed: {action}")

def update_analytics(action: str):
    print(f"Analytics updated for action: {action}")

def send_notification(user_id: int):
    print(f"Notification sent to user {user_id}")

@app.post("/action")
def perform_action(user_id: int, action: str, background_tasks: BackgroundTasks):
    # Add multiple background tasks
    background_tasks.add_task(log_activity, user_id, action)
    background_tasks.add_task(update_analytics, action)
    background_tasks.add_task(send_notification, user_id)
    
    return {"status": "success", "action": action}
