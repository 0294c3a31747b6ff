"""The WeCom (企业微信) self-built app channel: API client, sender and callback endpoint."""

from bot.wecom.callback import WECOM_CALLBACK, WeComCallbackState, add_wecom_routes
from bot.wecom.client import WeComClient
from bot.wecom.sender import WeComSender

__all__ = ["WECOM_CALLBACK", "WeComCallbackState", "WeComClient", "WeComSender", "add_wecom_routes"]
