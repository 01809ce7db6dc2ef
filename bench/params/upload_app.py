"""The app of the upload-memory measurement: one multipart file, read back in 1 MiB pieces."""

import hashlib
from typing import Annotated

from fastrapi import FastAPI, Form, UploadFile

app = FastAPI()


@app.post("/upload")
def upload(file: UploadFile, note: Annotated[str, Form()] = ""):
    digest = hashlib.sha256()
    while chunk := file.file.read(1 << 20):
        digest.update(chunk)
    return {"filename": file.filename, "size": file.size, "sha256": digest.hexdigest(), "note": note}


@app.get("/ping")
def ping():
    return {"ok": True}
