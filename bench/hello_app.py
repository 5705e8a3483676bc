"""The smallest Flask app, served by gunicorn like eha: the baseline http_bench.py compares eha with."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
