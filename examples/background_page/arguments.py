from fastrapi import FastrAPI, BackgroundTasks
import time

app = FastrAPI()

def process_data(item_id: int, priority: str):
    print(f"Processing item {item_id} with priority {priority}")
    time.sleep(2)  # Simulate processing
    print(f"Finished processing item {item_id}")

@app.post("/process/{item_id}")
def process_item(item_id: int, background_tasks: BackgroundTasks):
    background_tasks.add_task(process_data, item_id, "high")
    return {"status": "accepted", "item_id": item_id}
