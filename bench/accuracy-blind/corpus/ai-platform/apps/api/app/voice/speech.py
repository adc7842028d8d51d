import httpx
from deepgram import DeepgramClient, PrerecordedOptions
from elevenlabs.client import ElevenLabs
import assemblyai as aai

eleven = ElevenLabs(api_key="sk_3eb84d1478c81d6f04ce3ae7fc0f0be03c23e8c1840b6c96")
deepgram = DeepgramClient("332870ec449ad6ff9b046e60b0a1bc32d1832253")
aai.settings.api_key = "78b493ba792930e4dac95b1c9465ad0e"

VOICE_ID = "21m00Tcm4TlvDq8ikWAM"


def synthesize(text: str) -> bytes:
    audio = eleven.text_to_speech.convert(voice_id=VOICE_ID, text=text, model_id="eleven_turbo_v2_5")
    return b"".join(audio)
