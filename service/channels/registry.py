"""Which messenger channels are enabled: an adapter for each one whose secrets are set."""

from __future__ import annotations

from ..settings import Settings
from .base import ChannelAdapter


def build_registry(settings: Settings) -> dict[str, ChannelAdapter]:
    """Adapters by channel name (the ``{channel}`` of ``/webhooks/{channel}``); an adapter module is
    imported only when its channel is configured."""
    adapters: dict[str, ChannelAdapter] = {}
    slack, feishu, wecom = settings.slack, settings.feishu, settings.wecom
    if slack.signing_secret and slack.bot_token:
        from .slack import SlackAdapter

        adapters["slack"] = SlackAdapter(
            signing_secret=slack.signing_secret, bot_token=slack.bot_token,
            bot_user_id=slack.bot_user_id, api_base=slack.api_base,
        )  # fmt: skip
    if feishu.app_id and feishu.app_secret and feishu.verification_token:
        from .feishu import FeishuAdapter

        adapters["feishu"] = FeishuAdapter(
            app_id=feishu.app_id, app_secret=feishu.app_secret, verification_token=feishu.verification_token,
            encrypt_key=feishu.encrypt_key, api_base=feishu.api_base,
        )  # fmt: skip
    if settings.dingtalk.app_secret:
        from .dingtalk import DingTalkAdapter

        adapters["dingtalk"] = DingTalkAdapter(
            app_secret=settings.dingtalk.app_secret, reply_hosts=settings.dingtalk.reply_hosts
        )
    if wecom.corp_id and wecom.token and wecom.encoding_aes_key and wecom.agent_id and wecom.corp_secret:
        from .wecom import WeComAdapter

        adapters["wecom"] = WeComAdapter(
            corp_id=wecom.corp_id, token=wecom.token, encoding_aes_key=wecom.encoding_aes_key,
            agent_id=wecom.agent_id, corp_secret=wecom.corp_secret, api_base=wecom.api_base,
        )  # fmt: skip
    if settings.teams.security_token:
        from .teams import TeamsAdapter

        adapters["teams"] = TeamsAdapter(security_token=settings.teams.security_token)
    if settings.generic.secret:
        from .generic import GenericAdapter

        adapters["generic"] = GenericAdapter(secret=settings.generic.secret)
    return adapters
