from fastrapi import FastrAPI, BackgroundTasks
from pydantic import BaseModel, EmailStr

app = FastrAPI()

class User(BaseModel):
    email: EmailStr
    name: str

def send_welcome_email(email: str, name: str):
    # Simulate email sending
    print(f"Sending welcome email to {email}")
    # import smtplib
    # ... actual email logic

@app.post("/register")
def register_user(user: User, background_tasks: BackgroundTasks):
    # Register user in database (fast operation)
    # ...
    
    # Send welcome email in background (slow operation)
    background_tasks.add_task(send_welcome_email, user.email, user.name)
    
    return {"message": f"User {user.name} registered successfully"}
