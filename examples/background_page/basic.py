from fastrapi import FastrAPI, BackgroundTasks

app = FastrAPI()

def send_email(email: str, message: str):
    print(f"Sending email to {email}: {message}")
    # Email sending logic here

@app.post("/send")
def send_notification(email: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(send_email, email, "Welcome to our service!")
    return {"message": "Email will be sent in the background"}

if __name__ == "__main__":
    app.serve("127.0.0.1", 8080)
