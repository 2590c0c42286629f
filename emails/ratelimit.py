"""The sending rate all workers share: EMAIL_RATE emails a minute and
EMAIL_DAILY_LIMIT a day (UTC), kept in Redis by two small Lua scripts so
that every worker on every machine draws from the same bucket.

- The bucket holds two seconds' worth of tokens and refills at EMAIL_RATE.
  Bulk email may take a token only while half the bucket is left, so a
  transactional email (a confirmation during an alert fan-out) never waits
  for bulk's tokens: it borrows from bulk's share. With no transactional
  email, bulk gets the whole rate.
- Bulk stops at 90 % of EMAIL_DAILY_LIMIT; the last 10 % are transactional's.
- A relay answering 421 or 452 ("too many") pauses all sending for a
  second, doubling for each further refusal within a minute (at most a
  minute), and halves the rate; each email sent gives a little of it back.
  Both lanes pause: the relay counts them together.

Without Redis (no REDIS_URL, or the breaker open) there is no limit: the
relay's own refusal is the limit then."""

import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings

from core import redis_breaker

from .lanes import Lane

logger = logging.getLogger(__name__)

BUCKET_KEY = "emails:rate"
DAY_KEY = "emails:day:{day}"
BULK_DAILY_SHARE = 0.9

_TAKE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local bulk = ARGV[1] == 'bulk'
local per_minute = tonumber(ARGV[2])
local daily = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'factor', 'paused_until')
local paused_until = tonumber(state[4]) or 0
if now < paused_until then return paused_until - now end
if daily > 0 then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  local allowed = daily
  if bulk then allowed = math.floor(daily * tonumber(ARGV[5])) end
  if used >= allowed then return tonumber(ARGV[4]) end
end
if per_minute > 0 then
  local capacity = math.max(2, per_minute / 30)
  local factor = tonumber(state[3]) or 1
  local rate = per_minute * factor / 60000
  local tokens = tonumber(state[1]) or capacity
  local ts = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
  local need = 1
  if bulk then need = 1 + capacity / 2 end
  if tokens < need then
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
    return math.max(1, math.ceil((need - tokens) / rate))
  end
  factor = math.min(1, factor + 0.5 / per_minute)
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now,
             'factor', tostring(factor))
end
if daily > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], 172800)
end
return 0
"""

_SLOW_DOWN = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'factor', 'paused_until', 'strikes', 'struck_at')
local paused_until = tonumber(state[2]) or 0
if now < paused_until then return paused_until - now end
local strikes = tonumber(state[3]) or 0
if now - (tonumber(state[4]) or 0) > 60000 then strikes = 0 end
strikes = strikes + 1
local pause = math.min(60000, 1000 * 2 ^ (strikes - 1))
local factor = math.max(0.02, (tonumber(state[1]) or 1) / 2)
redis.call('HSET', KEYS[1], 'factor', tostring(factor), 'paused_until', now + pause,
           'strikes', strikes, 'struck_at', now, 'tokens', '0', 'ts', now + pause)
return pause
"""

_scripts = {}


def _script(client, source: str):
    key = (id(client), source)
    if key not in _scripts:
        _scripts[key] = client.register_script(source)
    return _scripts[key]


def take(lane: str, *, now: datetime | None = None) -> float:
    """Take one email's place in the shared rate. Returns 0 when it may go
    now, or the seconds to wait before asking again."""
    if not (settings.EMAIL_RATE or settings.EMAIL_DAILY_LIMIT):
        return _paused_for()
    now = now or datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    args = [
        Lane.BULK if lane == Lane.BULK else Lane.TRANSACTIONAL,
        settings.EMAIL_RATE,
        settings.EMAIL_DAILY_LIMIT,
        int((midnight - now).total_seconds() * 1000) + 1,
        BULK_DAILY_SHARE,
    ]
    keys = [BUCKET_KEY, DAY_KEY.format(day=f"{now:%Y%m%d}")]
    waited = redis_breaker.call(lambda client: _script(client, _TAKE)(keys=keys, args=args))
    return (waited or 0) / 1000


# Without a rate, a worker asks Redis whether sending is paused at most this
# often (a question per email cost a tenth of a bulk send's time); a pause
# another worker starts is seen this much later at most.
PAUSE_CHECK_SECONDS = 0.1
_pause_checked = {"at": float("-inf"), "until": 0.0}


def _paused_for() -> float:
    """Without a configured rate, only a relay's refusal holds sending back."""
    now = time.monotonic()
    if now - _pause_checked["at"] >= PAUSE_CHECK_SECONDS:

        def paused(client):
            keys = [BUCKET_KEY, "emails:day:-"]
            return _script(client, _TAKE)(keys=keys, args=["", 0, 0, 0, 1])

        pause = (redis_breaker.call(paused) or 0) / 1000
        _pause_checked.update(at=now, until=now + pause)
    return max(0.0, _pause_checked["until"] - now)


def forget_pause() -> None:
    """Ask Redis again at the next email (after its keys were cleared)."""
    _pause_checked.update(at=float("-inf"), until=0.0)


def slow_down() -> float:
    """A relay said "too many": pause every worker and halve the rate.
    Returns the pause in seconds (0 without Redis)."""
    pause = redis_breaker.call(lambda client: _script(client, _SLOW_DOWN)(keys=[BUCKET_KEY]))
    forget_pause()  # this worker sees its own pause at once
    if pause:
        logger.warning("The relay refused as too many: sending paused for %.1f s", pause / 1000)
    return (pause or 0) / 1000


def current_rate() -> float | None:
    """The rate (emails a minute) workers are keeping to now, after any
    slowing down; None when no rate is set or Redis cannot say."""
    if not settings.EMAIL_RATE:
        return None
    factor = redis_breaker.call(lambda client: client.hget(BUCKET_KEY, "factor"))
    if factor is None and not redis_breaker.available():
        return None
    return settings.EMAIL_RATE * float(factor or 1)
