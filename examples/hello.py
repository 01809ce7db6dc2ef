"""The smallest app: ``python examples/hello.py`` or ``gunicorn -k gevent examples.hello:app``."""

from fastrapi import FastrAPI

app = FastrAPI()


@app.get("/hello")
def hello():
    return {"Hello": "World"}


if __name__ == "__main__":
    app.serve("127.0.0.1", 8080)
