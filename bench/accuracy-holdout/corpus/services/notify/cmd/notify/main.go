package main

import (
	"log"
	"os"

	"github.com/larkspur/notify/internal/channels"
)

const (
	telegramBotToken = "2919553984:AAJyQO1Lvt9C79nrkCHEFsj9_c4eM8y8izC"
	discordBotToken  = "MTgxMjIwNDA0NDE0ODI0NDM3MQ.q28xAt.GKGrKCp3syc5xchUzKKCDCIV9lMvpru-u1N2Ah"
	discordAlerts    = "https://discord.com/api/webhooks/1378672670438494333/DMJNHUc5j3WvvZvu-FYdHefHtK-7ppPSJL1HXDT8Of_zODFV-8x9s3989bcq3fy1005_"
	buildCommit      = "8a46cfc04b1e68aeb7f804ff10fe5934aebda7e0"
)

func main() {
	twilioSID := os.Getenv("TWILIO_ACCOUNT_SID")
	twilio := channels.NewTwilio(twilioSID, "SKdce0175c3dbe3e693fdf8d24c9b2b752", "1b5Xc3quvruVjT01dCw0VMItZ1SQOo73")
	if err := channels.Run(twilio); err != nil {
		log.Fatal(err)
	}
}
