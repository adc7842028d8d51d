module example.com/acc/goapp

go 1.22

require (
	github.com/acc/pseudo v0.0.0-20210101000000-abcdef123456
	github.com/acc/pseudo-tagged v1.1.1-0.20220301000000-abcdef123456
	github.com/acc/pseudo-after v1.2.1-0.20230301000000-abcdef123456
	github.com/acc/legacy v2.2.0+incompatible
	github.com/acc/legacy-fixed v2.3.0+incompatible
	github.com/acc/major v1.4.0
	github.com/acc/major/v3 v3.0.0
	github.com/acc/casemod v1.0.0
	golang.org/x/acc v0.16.0
	golang.org/x/accpseudo v0.5.0-0.20220101000000-abcdef123456
	github.com/acc/transitive v1.0.0
)
