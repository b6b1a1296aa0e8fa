# API Gateway TOKEN authorizer of a self-hosted MLflow, written by studioform: verifies a
# Cognito JWT (RS256) and returns the policy of the tiers of its groups. Standard library only.
import base64, hashlib, hmac, json, os, re, time, urllib.request

# Cognito group -> routes (METHOD/path below the stage, * matches anything): the same table
# as the tiers' execute-api:Invoke grants.
ROUTES = json.loads('__ROUTES__')
ISSUER = os.environ.get('ISSUER', '')
CLIENT = os.environ.get('APP_CLIENT_ID', '')
# DER prefix of a SHA-256 DigestInfo (RFC 8017, 9.2).
SHA256 = bytes.fromhex('3031300d060960864801650304020105000420')
KEYS = {}
# When the keys were last fetched: an unknown key id refetches at most every 5 minutes.
FETCHED = [0.0]


class Unauthorized(Exception):
    pass


def b64(s):
    return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))


def key(kid):
    if kid not in KEYS and time.time() - FETCHED[0] > 300:
        FETCHED[0] = time.time()
        try:
            with urllib.request.urlopen(ISSUER + '/.well-known/jwks.json', timeout=5) as r:
                for k in json.load(r)['keys']:
                    if k.get('kty') == 'RSA':
                        KEYS[k['kid']] = (int.from_bytes(b64(k['n']), 'big'), int.from_bytes(b64(k['e']), 'big'))
        except Exception as e:
            raise Unauthorized('keys unavailable: %s' % e)
    if kid not in KEYS:
        raise Unauthorized('unknown key')
    return KEYS[kid]


def claims(token, now=None):
    try:
        h, p, s = token.split('.')
        head, body, sig = json.loads(b64(h)), json.loads(b64(p)), b64(s)
    except Exception:
        raise Unauthorized('malformed token')
    if head.get('alg') != 'RS256':
        raise Unauthorized('not RS256')
    n, e = key(head.get('kid'))
    size = (n.bit_length() + 7) // 8
    if len(sig) != size:
        raise Unauthorized('bad signature')
    digest = SHA256 + hashlib.sha256((h + '.' + p).encode()).digest()
    expected = b'\x00\x01' + b'\xff' * (size - len(digest) - 3) + b'\x00' + digest
    if not hmac.compare_digest(pow(int.from_bytes(sig, 'big'), e, n).to_bytes(size, 'big'), expected):
        raise Unauthorized('bad signature')
    if body.get('iss') != ISSUER or not isinstance(body.get('exp'), (int, float)):
        raise Unauthorized('wrong issuer')
    if body['exp'] <= (time.time() if now is None else now):
        raise Unauthorized('expired')
    use = body.get('token_use')
    if not ((use == 'id' and body.get('aud') == CLIENT) or (use == 'access' and body.get('client_id') == CLIENT)):
        raise Unauthorized('wrong client')
    return body


def matches(pattern, route):
    return re.fullmatch('.*'.join(map(re.escape, pattern.split('*'))), route) is not None


def policy(body, method_arn):
    api, _, rest = method_arn.partition('/')
    stage, _, route = rest.partition('/')
    groups = [g for g in body.get('cognito:groups') or [] if g in ROUTES]
    routes = sorted({r for g in groups for r in ROUTES[g]})
    statements = []
    if routes:
        statements.append({'Effect': 'Allow', 'Action': 'execute-api:Invoke',
                           'Resource': ['%s/%s/%s' % (api, stage, r) for r in routes]})
    # The result is cached per token: the Allow covers every route of the tiers, the Deny
    # only this one, which they do not cover.
    if not any(matches(r, route) for r in routes):
        statements.append({'Effect': 'Deny', 'Action': 'execute-api:Invoke', 'Resource': [method_arn]})
    return {'principalId': str(body.get('sub', 'unknown')),
            'policyDocument': {'Version': '2012-10-17', 'Statement': statements},
            'context': {'groups': ','.join(groups)}}


def handler(event, context):
    token = event.get('authorizationToken') or ''
    if token[:7].lower() == 'bearer ':
        token = token[7:]
    try:
        body = claims(token)
    except Unauthorized as e:
        print('denied: %s' % e)
        # API Gateway answers 401 to exactly this message.
        raise Exception('Unauthorized')
    return policy(body, event['methodArn'])
