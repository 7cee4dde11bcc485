"""Optibus playback's public modules, for a migration by imports only.

Rewrite ``playback.`` imports to ``playback_dvd.compat.playback.`` (one ``sed``, see
``docs/migration-playback.md``); recordings are then made and replayed by playback_dvd: sessions in
ContextVars (thread- and task-safe), httpx traffic recorded too, values stored as data (never pickled).
"""
