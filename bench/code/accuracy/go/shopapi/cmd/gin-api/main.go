package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

	"github.com/gin-gonic/gin"
	_ "github.com/lib/pq"
)

var (
	db        *sql.DB
	branchRE  = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,80}$`)
	assetsDir = "/srv/assets"
)

func search(c *gin.Context) {
	q := c.Query("q")
	rows, err := db.Query(fmt.Sprintf("SELECT id, name FROM products WHERE name LIKE '%%%s%%'", q)) // VULN:sqli
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func searchSafe(c *gin.Context) {
	q := c.Query("q")
	rows, err := db.Query("SELECT id, name FROM products WHERE name LIKE $1", "%"+q+"%")
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func asset(c *gin.Context) {
	c.File(filepath.Join(assetsDir, c.Param("name"))) // VULN:path
}

func assetSafe(c *gin.Context) {
	c.File(filepath.Join(assetsDir, filepath.Base(c.Param("name"))))
}

func deploy(c *gin.Context) {
	branch := c.PostForm("branch")
	out, err := exec.Command("bash", "-c", "git checkout "+branch+" && make deploy").CombinedOutput() // VULN:cmdi
	if err != nil {
		c.String(http.StatusInternalServerError, string(out))
		return
	}
	c.String(http.StatusOK, string(out))
}

func deployChecked(c *gin.Context) {
	branch := c.PostForm("branch")
	if !branchRE.MatchString(branch) {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	out, err := exec.Command("git", "checkout", branch).CombinedOutput()
	if err != nil {
		c.String(http.StatusInternalServerError, string(out))
		return
	}
	c.String(http.StatusOK, string(out))
}

func redirect(c *gin.Context) {
	resp, err := http.Get(c.Query("next")) // VULN:ssrf
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	c.Status(resp.StatusCode)
}

func main() {
	var err error
	db, err = sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	r := gin.Default()
	r.GET("/search", search)
	r.GET("/search-safe", searchSafe)
	r.GET("/assets/:name", asset)
	r.GET("/assets-safe/:name", assetSafe)
	r.POST("/deploy", deploy)
	r.POST("/deploy-checked", deployChecked)
	r.GET("/probe", redirect)
	r.Run(":8080")
}
