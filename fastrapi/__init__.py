"""fastrapi: the FastAPI programming model as a plain WSGI application on gevent."""

from fastrapi import status
from fastrapi.applications import FastAPI, FastrAPI
from fastrapi.background import BackgroundTasks
from fastrapi.datastructures import State, UploadFile
from fastrapi.exceptions import HTTPException, RequestValidationError, ResponseValidationError, WebSocketException
from fastrapi.params import Body, Cookie, Depends, File, Form, Header, Path, Query, Security
from fastrapi.requests import Request
from fastrapi.responses import Response
from fastrapi.routing import APIRoute, APIRouter
from fastrapi.security import SecurityScopes
from fastrapi.websockets import WebSocket, WebSocketDisconnect

__version__ = "0.1.0"

__all__ = [
    "APIRoute", "APIRouter", "BackgroundTasks", "Body", "Cookie", "Depends", "FastAPI", "FastrAPI", "File",
    "Form", "HTTPException", "Header", "Path", "Query", "Request", "RequestValidationError", "Response",
    "ResponseValidationError", "Security", "SecurityScopes", "State", "UploadFile", "WebSocket", "WebSocketDisconnect",
    "WebSocketException", "__version__", "status",
]
