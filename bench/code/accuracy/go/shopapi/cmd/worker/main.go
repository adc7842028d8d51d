package main

import (
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
)

func publicRouter() *gin.Engine {
	r := gin.New()
	r.Use(cors.New(cors.Config{AllowAllOrigins: true, AllowCredentials: true, MaxAge: 12 * time.Hour})) // VULN:cors
	return r
}

func partnerRouter() *gin.Engine {
	r := gin.New()
	r.Use(cors.New(cors.Config{AllowOrigins: []string{"https://partner.example.com"}, AllowCredentials: true, MaxAge: 12 * time.Hour}))
	return r
}

func runJob(c *gin.Context) {
	script := c.Query("script")
	out, err := exec.CommandContext(c.Request.Context(), "sh", "-c", script).CombinedOutput() // VULN:cmdi
	if err != nil {
		c.String(http.StatusInternalServerError, string(out))
		return
	}
	c.String(http.StatusOK, string(out))
}

func runNamedJob(c *gin.Context) {
	jobs := map[string][]string{"reindex": {"/opt/jobs/reindex"}, "vacuum": {"/opt/jobs/vacuum", "--full"}}
	argv, ok := jobs[c.Query("job")]
	if !ok {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	out, err := exec.CommandContext(c.Request.Context(), argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		c.String(http.StatusInternalServerError, string(out))
		return
	}
	c.String(http.StatusOK, string(out))
}

func main() {
	r := publicRouter()
	r.GET("/jobs/run", runJob)
	r.GET("/jobs/named", runNamedJob)
	p := partnerRouter()
	go p.Run(":9090")
	r.Run(":" + os.Getenv("PORT"))
}
