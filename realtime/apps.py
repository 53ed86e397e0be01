from __future__ import annotations

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from realtime.signal_handlers import register_signal_handlers

        register_signal_handlers()
        from realtime.principal import connect_principal_signals  # closes sockets on logout

        connect_principal_signals()
