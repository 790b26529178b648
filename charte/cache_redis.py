"""Django's Redis cache with one redis-py client per connection pool, instead of one per cache operation.

Django builds a new `redis.Redis` object for every cache call, which rebuilds redis-py's tables of response
callbacks (≈ 170 dictionary insertions, 0.075 ms here). A page of a charter makes six cache calls (session,
version, membership, shared blocks): ≈ 9 % of a cached dashboard's CPU (issue #8). A `redis.Redis` object is
thread-safe over its pool, so keeping one per pool changes nothing else.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ClientRedisGarde(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class CacheRedis(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientRedisGarde
