"""A chat room: messages go over a WebSocket to everyone in the room, and a server-sent event
stream tells any page who joins and leaves. Run it and open http://127.0.0.1:8080 in two tabs:

    python examples/chat.py

The same code runs on FastAPI with the import changed back (``from fastapi import ...``).
"""

import asyncio
from collections.abc import AsyncIterable

from fastrapi import FastrAPI, WebSocket, WebSocketDisconnect
from fastrapi.responses import HTMLResponse
from fastrapi.sse import EventSourceResponse, ServerSentEvent

app = FastrAPI(title="Chat")

PAGE = """<!DOCTYPE html>
<html><head><title>Chat</title><link rel="icon" href="data:,"></head>
<body>
<h1>Chat</h1>
<form id="form"><input id="text" autocomplete="off"><button>Send</button></form>
<h2>Messages</h2><ul id="messages"></ul>
<h2>Room events</h2><ul id="events"></ul>
<script>
const name = new URLSearchParams(location.search).get("name") || "guest" + Math.floor(Math.random() * 1000);
const add = (list, text) => {
    const item = document.createElement("li");
    item.textContent = text;
    document.getElementById(list).appendChild(item);
};
const events = new EventSource("/events");
events.addEventListener("room", (event) => add("events", JSON.parse(event.data)));
const socket = new WebSocket(`ws://${location.host}/ws/${encodeURIComponent(name)}`);
socket.onmessage = (event) => add("messages", event.data);
socket.onopen = () => { document.body.dataset.connected = "yes"; };
document.getElementById("form").onsubmit = (event) => {
    event.preventDefault();
    const input = document.getElementById("text");
    socket.send(input.value);
    input.value = "";
};
</script>
</body></html>
"""


class Room:
    """Who is connected, and the queues of the pages that follow the room's events."""

    def __init__(self) -> None:
        self.members: dict[str, WebSocket] = {}
        self.followers: set[asyncio.Queue[str]] = set()

    async def join(self, name: str, websocket: WebSocket) -> None:
        await websocket.accept()
        self.members[name] = websocket
        self.announce(f"{name} joined")

    async def leave(self, name: str) -> None:
        self.members.pop(name, None)
        self.announce(f"{name} left")
        await self.broadcast(f"{name} left the chat")

    async def broadcast(self, text: str) -> None:
        for websocket in list(self.members.values()):
            try:
                await websocket.send_text(text)
            except WebSocketDisconnect:
                pass  # that member is leaving: their own endpoint cleans up

    def announce(self, event: str) -> None:
        for queue in self.followers:
            queue.put_nowait(event)


room = Room()


@app.get("/", response_class=HTMLResponse)
async def page() -> str:
    return PAGE


@app.websocket("/ws/{name}")
async def chat(websocket: WebSocket, name: str) -> None:
    await room.join(name, websocket)
    try:
        while True:
            text = await websocket.receive_text()
            await room.broadcast(f"{name}: {text}")
    except WebSocketDisconnect:
        await room.leave(name)


@app.get("/events", response_class=EventSourceResponse)
async def room_events() -> AsyncIterable[ServerSentEvent]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    room.followers.add(queue)
    try:
        yield ServerSentEvent(data=f"{len(room.members)} in the room", event="room")
        while True:
            yield ServerSentEvent(data=await queue.get(), event="room")
    finally:
        room.followers.discard(queue)


if __name__ == "__main__":
    app.serve("127.0.0.1", 8080)
