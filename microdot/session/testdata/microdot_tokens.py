"""Writes microdot_tokens.json: session tokens made as Microdot makes them.

Microdot's Session.encode is jwt.encode(payload, secret_key, algorithm='HS256')
from PyJWT 2. This script reproduces PyJWT 2's output byte for byte with the
standard library only, so that it runs anywhere: the header is
json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":"),
sort_keys=True), the payload json.dumps(payload, separators=(",", ":")) in
insertion order, each base64url-encoded without padding, signed with
HMAC-SHA256 over "header.payload".

Run: python3 microdot_tokens.py > microdot_tokens.json
"""
import base64
import hashlib
import hmac
import json

KEY = '866ec558b6c14560bb0930e1fd55068d'  # the key of Microdot's own tests


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def encode(payload, key=KEY):
    header = json.dumps({'typ': 'JWT', 'alg': 'HS256'}, separators=(',', ':'),
                        sort_keys=True).encode()
    body = json.dumps(payload, separators=(',', ':')).encode()
    signing_input = b64(header) + '.' + b64(body)
    sig = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + '.' + b64(sig)


valid = {
    'name': {'name': 'joe'},
    'login': {'_user_id': 123, '_fresh': True},
    'nested': {'cart': [1, 2, 3], 'prefs': {'theme': 'dark'}, 'n': 1.5},
    'unicode': {'name': 'Zoë ☃'},
    'remember': {'user_id': 1, 'days': 30, 'exp': 4102444800.5},
}
invalid = {
    'expired': encode({'foo': 'bar', 'exp': 1000000000}),
    'other_key': encode({'name': 'joe'}, key='another-secret-key-of-32-bytes!!'),
    'tampered': encode({'name': 'joe'})[:-2] + 'AA',
    'alg_none': b64(b'{"alg":"none","typ":"JWT"}') + '.' + b64(b'{"name":"joe"}') + '.',
}
print(json.dumps({
    'key': KEY,
    'valid': {k: {'token': encode(v), 'payload': v} for k, v in valid.items()},
    'invalid': invalid,
    # The Set-Cookie header of Microdot's Session.update, with its default
    # cookie options (path='/', http_only=True).
    'set_cookie': 'session=' + encode(valid['name']) + '; Path=/; HttpOnly',
}, indent=2, ensure_ascii=False))
