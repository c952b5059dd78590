"""The yardstick: a bare Flask JSON endpoint, served exactly like the real app."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/echo")
def echo():
    body = request.get_json(silent=True) or {}
    return jsonify({"status": "ok", "code": "echo", "client_ref": body.get("client_ref")})
