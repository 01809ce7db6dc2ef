from fastrapi import FastrAPI, BackgroundTasks
import logging

app = FastrAPI()
logger = logging.getLogger(__name__)

def risky_operation(data: str):
    try:
        # Perform operation that might fail
        if not data:
            raise ValueError("Data cannot be empty")
        
        # Process data
        print(f"Processing: {data}")
        
    except Exception as e:
        logger.error(f"Background task failed: {e}")
        # Handle error: retry, save to dead letter queue, etc.

@app.post("/task")
def create_task(data: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(risky_operation, data)
    return {"status": "accepted"}
