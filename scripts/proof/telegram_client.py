"""The official `python-telegram-bot` package against the Telegram double: getMe, a getUpdates / sendMessage
round with an inline keyboard and a reply, an edit, a chat action, and the confirming getUpdates. Prints one JSON
object; exits non-zero on any surprise.

Environment: TELEGRAM_API_BASE, TELEGRAM_BOT_TOKEN. The caller (the Swift test) queues one user message first.
"""
import asyncio
import json
import os

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters


async def main():
    bot = Bot(token=os.environ["TELEGRAM_BOT_TOKEN"], base_url=os.environ["TELEGRAM_API_BASE"] + "/bot")
    async with bot:
        me = await bot.get_me()
        updates = await bot.get_updates(timeout=1, allowed_updates=["message", "callback_query"])
        incoming = updates[0].message
        sent = await bot.send_message(
            chat_id=incoming.chat.id,
            text="<b>pong</b> to " + incoming.text,
            parse_mode="HTML",
            reply_parameters=ReplyParameters(message_id=incoming.message_id),
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Approve", callback_data="approve:1")]]),
        )
        edited = await bot.edit_message_text(chat_id=incoming.chat.id, message_id=sent.message_id, text="pong!")
        await bot.send_chat_action(chat_id=incoming.chat.id, action="typing")
        remaining = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    print(
        json.dumps(
            {
                "username": me.username,
                "update_ids": [update.update_id for update in updates],
                "text": incoming.text,
                "sent_id": sent.message_id,
                "sent_text": sent.text,
                "reply_to": sent.reply_to_message.message_id if sent.reply_to_message else None,
                "edited_text": edited.text,
                "remaining": len(remaining),
            }
        )
    )


asyncio.run(main())
