"""The production cache (Redis, CACHE_URL) with its redis-py client kept per pool: the operations the pages rely
on — versions, summaries, memberships, rate limits, sessions — behave as with Django's own Redis cache, from
several threads at once. On the Redis server of the tests (CELERY_BROKER_URL), under a prefix of its own."""

import threading

import pytest
from django.conf import settings

from charte.cache_redis import CacheRedis


@pytest.fixture
def cache_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the tests run with Redis (make test)"
    cache = CacheRedis(settings.CELERY_BROKER_URL, {"KEY_PREFIX": "test-cache-redis"})
    yield cache
    cache.delete_many([f"cle-{i}" for i in range(8)] + ["version", "compteur", "resume"])


def test_les_operations_des_pages(cache_redis):
    assert cache_redis.add("version", "a1", None) and not cache_redis.add("version", "b2", None)
    assert cache_redis.get("version") == "a1"
    assert cache_redis.get_or_set("resume", lambda: {"nb": 3}, 60) == {"nb": 3}
    assert cache_redis.get_or_set("resume", lambda: {"nb": 4}, 60) == {"nb": 3}
    cache_redis.add("compteur", 0, 60)
    assert [cache_redis.incr("compteur") for _ in range(3)] == [1, 2, 3]
    cache_redis.delete_many(["version", "resume"])
    assert cache_redis.get("version") is None and cache_redis.get("resume") is None


def test_incr_compte_sans_toucher_a_l_expiration_et_refuse_une_cle_absente(cache_redis):
    with pytest.raises(ValueError):
        cache_redis.incr("compteur")
    assert cache_redis.get("compteur") is None  # no count started without an expiry
    cache_redis.add("compteur", 1, 60)
    assert cache_redis.incr("compteur", 5) == 6 and cache_redis.get("compteur") == 6
    assert 0 < cache_redis._cache.get_client().ttl(cache_redis.make_and_validate_key("compteur")) <= 60


def test_un_seul_client_partage_par_les_fils(cache_redis):
    clients, erreurs = set(), []

    def travailler(i):
        try:
            for n in range(50):
                cache_redis.set(f"cle-{i}", n, 60)
                assert cache_redis.get(f"cle-{i}") == n
            clients.add(id(cache_redis._cache.get_client()))
        except Exception as erreur:  # reported below: an assertion in a thread would be lost
            erreurs.append(erreur)

    fils = [threading.Thread(target=travailler, args=(i,)) for i in range(8)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()

    assert not erreurs and len(clients) == 1
