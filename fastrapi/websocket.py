"""``fastrapi.websocket``: the module name the Rust FastrAPI uses; the same classes as ``fastrapi.websockets``."""

from fastrapi.websockets import SyncWebSocket, WebSocket, WebSocketDisconnect, WebSocketState

__all__ = ["SyncWebSocket", "WebSocket", "WebSocketDisconnect", "WebSocketState"]
