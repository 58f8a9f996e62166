"""Messenger channels: adapters that turn platform webhooks into ``InboundMessage`` and replies back."""
