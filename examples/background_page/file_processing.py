from fastrapi import FastrAPI, BackgroundTasks
import time

app = FastrAPI()

def process_uploaded_file(filename: str):
    print(f"Starting to process {filename}")
    time.sleep(5)  # Simulate heavy processing
    print(f"Finished processing {filename}")

@app.post("/upload")
def upload_file(filename: str, background_tasks: BackgroundTasks):
    # Save file (fast)
    # ...
    
    # Process in background (slow)
    background_tasks.add_task(process_uploaded_file, filename)
    
    return {
        "status": "accepted",
        "message": "File uploaded and processing started"
    }
