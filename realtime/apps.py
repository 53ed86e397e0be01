from __future__ import annotations

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from realtime import checks  # noqa: F401  (registers the checks of the live declarations)

        # Each app declares what it tracks and its live regions in its live.py, as each
        # declares its admin in admin.py. Every app's models are loaded by now.
        autodiscover_modules("live")
        from realtime.signal_handlers import register_signal_handlers

        register_signal_handlers()
        from realtime.principal import connect_principal_signals  # closes sockets on logout

        connect_principal_signals()
