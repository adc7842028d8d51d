#!/usr/bin/env python3
"""Deterministic generator of a large polyglot monorepo for the supply-chain benchmark (bench/deps/).

    python3 bench/deps/gen_monorepo.py OUT_DIR [--services 200] [--seed 12]

Writes OUT_DIR/services/svc-NNN-<word>/ with, per service (fixed seed, so the same tree every time):
- npm: package.json + package-lock.json v3 (50-300 packages, some nested `node_modules/a/node_modules/b`
  duplicates at another version, ~30% dev), or for every 10th service a yarn.lock v1 instead of the
  package-lock;
- Python (4 services in 5): pyproject.toml + poetry.lock, pyproject.toml + uv.lock, or a pinned
  requirements.txt (20-110 packages);
- Go (3 in 10): go.mod with direct and `// indirect` requires (15-70 modules);
- Rust (1 in 4): Cargo.toml + Cargo.lock v3 (30-180 crates).

Package names are real and taken from the lists below; each has one real version, from which a few plausible
neighbours are derived (same major line). The file OUT_DIR.expected.json (beside the tree, not in it) records every lockfile entry written
and the set of distinct package URLs (purls) the tree holds, the ground truth the benchmark scores SBOMs against.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import sys

# ---------------------------------------------------------------------------------------------------------------
# Real package names, each with one real version (latest or a recent release when the list was written).
NPM = """
react@18.2.0 react-dom@18.2.0 lodash@4.17.21 express@4.18.2 axios@1.6.7 chalk@5.3.0 commander@11.1.0
debug@4.3.4 ms@2.1.3 semver@7.6.0 uuid@9.0.1 yargs@17.7.2 minimist@1.2.8 glob@10.3.10 rimraf@5.0.5
mkdirp@3.0.1 fs-extra@11.2.0 moment@2.30.1 dayjs@1.11.10 date-fns@3.3.1 classnames@2.5.1 prop-types@15.8.1
typescript@5.3.3 tslib@2.6.2 webpack@5.90.3 webpack-cli@5.1.4 babel-loader@9.1.3 @babel/core@7.23.9
@babel/preset-env@7.23.9 @babel/preset-react@7.23.3 @babel/runtime@7.23.9 @babel/parser@7.23.9
@babel/traverse@7.23.9 @babel/types@7.23.9 @babel/generator@7.23.6 @babel/code-frame@7.23.5
@babel/helper-plugin-utils@7.22.5 @babel/template@7.23.9 eslint@8.56.0 eslint-plugin-react@7.33.2
eslint-plugin-import@2.29.1 eslint-config-prettier@9.1.0 prettier@3.2.5 jest@29.7.0 ts-jest@29.1.2
@types/node@20.11.19 @types/react@18.2.56 @types/react-dom@18.2.19 @types/jest@29.5.12 @types/express@4.17.21
@types/lodash@4.14.202 @types/uuid@9.0.8 vite@5.1.4 esbuild@0.20.1 rollup@4.12.0 postcss@8.4.35
autoprefixer@10.4.17 tailwindcss@3.4.1 sass@1.71.1 styled-components@6.1.8 next@14.1.0 vue@3.4.19
vue-router@4.3.0 pinia@2.1.7 @angular/core@17.2.2 @angular/common@17.2.2 rxjs@7.8.1 zone.js@0.14.4
redux@5.0.1 @reduxjs/toolkit@2.2.1 react-redux@9.1.0 react-router@6.22.1 react-router-dom@6.22.1
@tanstack/react-query@5.22.2 zustand@4.5.1 immer@10.0.3 body-parser@1.20.2 cookie-parser@1.4.6 cors@2.8.5
helmet@7.1.0 morgan@1.10.0 dotenv@16.4.5 jsonwebtoken@9.0.2 bcrypt@5.1.1 bcryptjs@2.4.3 passport@0.7.0
passport-jwt@4.0.1 mongoose@8.1.3 mongodb@6.3.0 pg@8.11.3 mysql2@3.9.1 redis@4.6.13 ioredis@5.3.2
sequelize@6.37.1 typeorm@0.3.20 prisma@5.10.2 @prisma/client@5.10.2 knex@3.1.0 sqlite3@5.1.7
socket.io@4.7.4 socket.io-client@4.7.4 ws@8.16.0 node-fetch@3.3.2 cross-fetch@4.0.0 got@14.2.0
superagent@8.1.2 form-data@4.0.0 qs@6.11.2 query-string@8.2.0 cookie@0.6.0 mime@4.0.1 mime-types@2.1.35
mime-db@1.52.0 content-type@1.0.5 accepts@1.3.8 negotiator@0.6.3 on-finished@2.4.1 finalhandler@1.2.0
send@0.18.0 serve-static@1.15.0 etag@1.8.1 fresh@0.5.2 range-parser@1.2.1 statuses@2.0.1 http-errors@2.0.0
depd@2.0.0 inherits@2.0.4 safe-buffer@5.2.1 string_decoder@1.3.0 readable-stream@4.5.2 once@1.4.0 wrappy@1.0.2
inflight@1.0.6 minimatch@9.0.3 brace-expansion@2.0.1 balanced-match@1.0.2 concat-map@0.0.1 path-is-absolute@2.0.0
graceful-fs@4.2.11 chokidar@3.6.0 anymatch@3.1.3 picomatch@4.0.1 micromatch@4.0.5 braces@3.0.2
fill-range@7.0.1 to-regex-range@5.0.1 is-number@7.0.0 is-glob@4.0.3 is-extglob@2.1.1 glob-parent@6.0.2
fast-glob@3.3.2 @nodelib/fs.stat@2.0.5 @nodelib/fs.walk@1.2.8 @nodelib/fs.scandir@2.1.5 merge2@1.4.1
reusify@1.0.4 fastq@1.17.1 run-parallel@1.2.0 queue-microtask@1.2.3 ansi-styles@6.2.1 ansi-regex@6.0.1
strip-ansi@7.1.0 supports-color@9.4.0 has-flag@5.0.1 color-convert@2.0.1 color-name@2.0.0 escape-string-regexp@5.0.0
source-map@0.7.4 source-map-support@0.5.21 buffer-from@1.1.2 acorn@8.11.3 acorn-walk@8.3.2 terser@5.27.2
cssnano@6.0.3 css-loader@6.10.0 style-loader@3.3.4 html-webpack-plugin@5.6.0 mini-css-extract-plugin@2.8.0
copy-webpack-plugin@12.0.2 webpack-dev-server@5.0.2 nodemon@3.0.3 ts-node@10.9.2 concurrently@8.2.2
cross-env@7.0.3 husky@9.0.11 lint-staged@15.2.2 @commitlint/cli@18.6.1 mocha@10.3.0 chai@5.1.0 sinon@17.0.1
nyc@15.1.0 supertest@6.3.4 @testing-library/react@14.2.1 @testing-library/jest-dom@6.4.2
@testing-library/user-event@14.5.2 cypress@13.6.5 playwright@1.41.2 @playwright/test@1.41.2 puppeteer@22.2.0
jsdom@24.0.0 cheerio@1.0.0-rc.12 htmlparser2@9.1.0 entities@4.5.0 domhandler@5.0.3 domutils@3.1.0
dom-serializer@2.0.0 css-select@5.1.0 nth-check@2.1.1 boolbase@1.0.0 marked@12.0.0 markdown-it@14.0.0
highlight.js@11.9.0 handlebars@4.7.8 ejs@3.1.9 pug@3.0.2 mustache@4.2.0 nunjucks@3.2.4 winston@3.11.0
pino@8.19.0 pino-pretty@10.3.1 bunyan@1.8.15 log4js@6.9.1 joi@17.12.1 yup@1.3.3 zod@3.22.4 ajv@8.12.0
ajv-formats@2.1.1 json-schema-traverse@1.0.0 fast-deep-equal@3.1.3 fast-json-stable-stringify@2.1.0
validator@13.11.0 class-validator@0.14.1 class-transformer@0.5.1 reflect-metadata@0.2.1 @nestjs/core@10.3.3
@nestjs/common@10.3.3 @nestjs/platform-express@10.3.3 fastify@4.26.1 koa@2.15.0 koa-router@12.0.1 hapi@18.1.0
graphql@16.8.1 @apollo/server@4.10.0 apollo-server-express@3.13.0 graphql-tag@2.12.6 @graphql-tools/schema@10.0.3
aws-sdk@2.1563.0 @aws-sdk/client-s3@3.521.0 @aws-sdk/client-dynamodb@3.521.0 @google-cloud/storage@7.7.0
firebase@10.8.0 firebase-admin@12.0.0 stripe@14.17.0 twilio@4.22.0 nodemailer@6.9.10 @sendgrid/mail@8.1.1
sharp@0.33.2 jimp@0.22.12 canvas@2.11.2 pdfkit@0.14.0 xlsx@0.18.5 csv-parse@5.5.3 csv-stringify@6.4.5
papaparse@5.4.1 js-yaml@4.1.0 yaml@2.3.4 toml@3.0.0 ini@4.1.1 xml2js@0.6.2 fast-xml-parser@4.3.4
archiver@6.0.1 tar@6.2.0 adm-zip@0.5.10 jszip@3.10.1 pako@2.1.0 zlib@1.0.5 node-forge@1.3.1
crypto-js@4.2.0 tweetnacl@1.0.3 elliptic@6.5.4 bn.js@5.2.1 hash.js@1.1.7 sha.js@2.4.11 md5@2.3.0
jose@5.2.2 openid-client@5.6.4 oauth@0.10.0 express-session@1.18.0 connect-redis@7.1.1 express-rate-limit@7.1.5
compression@1.7.4 multer@1.4.5-lts.1 busboy@1.6.0 formidable@3.5.1 http-proxy@1.18.1 http-proxy-middleware@2.0.6
async@3.2.5 bluebird@3.7.2 p-limit@5.0.0 p-queue@8.0.1 p-retry@6.2.0 eventemitter3@5.0.1 lru-cache@10.2.0
node-cache@5.1.2 bull@4.12.2 bullmq@5.3.3 agenda@5.0.0 node-cron@3.0.3 cron@3.1.6 ora@8.0.1 inquirer@9.2.15
prompts@2.4.2 cli-progress@3.12.0 boxen@7.1.1 figlet@1.7.0 kleur@4.1.5 picocolors@1.0.0 nanoid@5.0.6
shortid@2.2.16 cuid@3.0.0 clsx@2.1.0 lodash.merge@4.6.2 lodash.debounce@4.0.8 lodash.throttle@4.1.1
underscore@1.13.6 ramda@0.29.1 deepmerge@4.3.1 object-assign@4.1.1 core-js@3.36.0 regenerator-runtime@0.14.1
whatwg-fetch@3.6.20 web-vitals@3.5.2 three@0.161.0 d3@7.8.5 chart.js@4.4.1 echarts@5.5.0 leaflet@1.9.4
mapbox-gl@3.1.2 @mui/material@5.15.10 @emotion/react@11.11.3 @emotion/styled@11.11.0 antd@5.14.2
bootstrap@5.3.3 jquery@3.7.1 @fortawesome/fontawesome-svg-core@6.5.1 framer-motion@11.0.5 swiper@11.0.6
i18next@23.10.0 react-i18next@14.0.5 formik@2.4.5 react-hook-form@7.50.1 @hookform/resolvers@3.3.4
"""

PYPI = """
requests==2.31.0 urllib3==2.2.1 certifi==2024.2.2 idna==3.6 charset-normalizer==3.3.2 django==4.2.10
djangorestframework==3.14.0 flask==3.0.2 werkzeug==3.0.1 jinja2==3.1.3 markupsafe==2.1.5 itsdangerous==2.1.2
click==8.1.7 fastapi==0.109.2 starlette==0.36.3 pydantic==2.6.1 pydantic-core==2.16.2 uvicorn==0.27.1
gunicorn==21.2.0 sqlalchemy==2.0.27 alembic==1.13.1 psycopg2-binary==2.9.9 pymysql==1.1.0 redis==5.0.1
celery==5.3.6 kombu==5.3.5 billiard==4.2.0 vine==5.1.0 amqp==5.2.0 boto3==1.34.49 botocore==1.34.49
s3transfer==0.10.0 jmespath==1.0.1 python-dateutil==2.8.2 six==1.16.0 pytz==2024.1 tzdata==2024.1
numpy==1.26.4 pandas==2.2.0 scipy==1.12.0 scikit-learn==1.4.1.post1 joblib==1.3.2 threadpoolctl==3.3.0
matplotlib==3.8.3 pillow==10.2.0 pyyaml==6.0.1 toml==0.10.2 tomli==2.0.1 packaging==23.2 setuptools==69.1.0
wheel==0.42.0 pip==24.0 attrs==23.2.0 cattrs==23.2.3 typing-extensions==4.9.0 cryptography==42.0.4
cffi==1.16.0 pycparser==2.21 pyjwt==2.8.0 bcrypt==4.1.2 paramiko==3.4.0 pynacl==1.5.0 httpx==0.26.0
httpcore==1.0.4 h11==0.14.0 anyio==4.3.0 sniffio==1.3.0 aiohttp==3.9.3 multidict==6.0.5 yarl==1.9.4
frozenlist==1.4.1 aiosignal==1.3.1 async-timeout==4.0.3 websockets==12.0 grpcio==1.62.0 protobuf==4.25.3
googleapis-common-protos==1.62.0 google-auth==2.28.1 google-api-core==2.17.1 cachetools==5.3.2
rsa==4.9 pyasn1==0.5.1 pyasn1-modules==0.3.0 oauthlib==3.2.2 requests-oauthlib==1.3.1 pytest==8.0.1
pytest-cov==4.1.0 coverage==7.4.2 pluggy==1.4.0 iniconfig==2.0.0 mock==5.1.0 tox==4.13.0 black==24.2.0
isort==5.13.2 flake8==7.0.0 mypy==1.8.0 mypy-extensions==1.0.0 pylint==3.0.3 ruff==0.2.2 pre-commit==3.6.2
virtualenv==20.25.0 filelock==3.13.1 platformdirs==4.2.0 distlib==0.3.8 jsonschema==4.21.1
jsonschema-specifications==2023.12.1 referencing==0.33.0 rpds-py==0.18.0 marshmallow==3.20.2 lxml==5.1.0
beautifulsoup4==4.12.3 soupsieve==2.5 html5lib==1.1 webencodings==0.5.1 bleach==6.1.0 markdown==3.5.2
pygments==2.17.2 rich==13.7.0 typer==0.9.0 tqdm==4.66.2 colorama==0.4.6 tabulate==0.9.0 python-dotenv==1.0.1
sentry-sdk==1.40.5 structlog==24.1.0 loguru==0.7.2 prometheus-client==0.20.0 opentelemetry-api==1.23.0
opentelemetry-sdk==1.23.0 tenacity==8.2.3 backoff==2.2.1 retrying==1.3.4 decorator==5.1.1 wrapt==1.16.0
deprecated==1.2.14 more-itertools==10.2.0 zipp==3.17.0 importlib-metadata==7.0.1 transformers==4.38.1
torch==2.2.1 tokenizers==0.15.2 huggingface-hub==0.20.3 safetensors==0.4.2 regex==2023.12.25 openai==1.12.0
tiktoken==0.6.0 langchain==0.1.9 langchain-core==0.1.26 nltk==3.8.1 sympy==1.12 networkx==3.2.1
mpmath==1.3.0 fsspec==2024.2.0 pyarrow==15.0.0 sqlparse==0.4.4 asgiref==3.7.2 django-cors-headers==4.3.1
whitenoise==6.6.0 channels==4.0.0 twisted==23.10.0 zope-interface==6.2 pyopenssl==24.0.0 service-identity==24.1.0
docutils==0.20.1 sphinx==7.2.6 babel==2.14.0 mako==1.3.2 tornado==6.4 pyzmq==25.1.2 jupyter-core==5.7.1
ipython==8.22.1 traitlets==5.14.1 jedi==0.19.1 parso==0.8.3 prompt-toolkit==3.0.43 wcwidth==0.2.13
psutil==5.9.8 docker==7.0.0 kubernetes==29.0.0 websocket-client==1.7.0 ansible-core==2.16.3 pyparsing==3.1.1
"""

GO = """
github.com/gin-gonic/gin@v1.9.1 github.com/gorilla/mux@v1.8.1 github.com/labstack/echo/v4@v4.11.4
github.com/gofiber/fiber/v2@v2.52.1 github.com/go-chi/chi/v5@v5.0.12 github.com/spf13/cobra@v1.8.0
github.com/spf13/viper@v1.18.2 github.com/spf13/pflag@v1.0.5 github.com/sirupsen/logrus@v1.9.3
go.uber.org/zap@v1.27.0 go.uber.org/multierr@v1.11.0 github.com/rs/zerolog@v1.32.0
github.com/stretchr/testify@v1.8.4 github.com/davecgh/go-spew@v1.1.1 github.com/pmezard/go-difflib@v1.0.0
gopkg.in/yaml.v3@v3.0.1 gopkg.in/yaml.v2@v2.4.0 github.com/google/uuid@v1.6.0 github.com/pkg/errors@v0.9.1
golang.org/x/net@v0.21.0 golang.org/x/sys@v0.17.0 golang.org/x/text@v0.14.0 golang.org/x/crypto@v0.19.0
golang.org/x/sync@v0.6.0 golang.org/x/oauth2@v0.17.0 golang.org/x/time@v0.5.0 golang.org/x/mod@v0.15.0
golang.org/x/tools@v0.18.0 google.golang.org/grpc@v1.62.0 google.golang.org/protobuf@v1.32.0
google.golang.org/genproto/googleapis/rpc@v0.0.0-20240221002015-b0ce06bbee7c github.com/golang/protobuf@v1.5.3
github.com/prometheus/client_golang@v1.19.0 github.com/prometheus/client_model@v0.6.0
github.com/prometheus/common@v0.48.0 github.com/prometheus/procfs@v0.12.0 github.com/beorn7/perks@v1.0.1
github.com/cespare/xxhash/v2@v2.2.0 github.com/go-redis/redis/v8@v8.11.5 github.com/redis/go-redis/v9@v9.5.1
github.com/jackc/pgx/v5@v5.5.3 github.com/lib/pq@v1.10.9 github.com/go-sql-driver/mysql@v1.7.1
gorm.io/gorm@v1.25.7 gorm.io/driver/postgres@v1.5.6 github.com/jmoiron/sqlx@v1.3.5
go.mongodb.org/mongo-driver@v1.14.0 github.com/aws/aws-sdk-go@v1.50.25 github.com/aws/aws-sdk-go-v2@v1.25.2
github.com/golang-jwt/jwt/v5@v5.2.0 github.com/gorilla/websocket@v1.5.1 github.com/json-iterator/go@v1.1.12
github.com/modern-go/reflect2@v1.0.2 github.com/modern-go/concurrent@v0.0.0-20180306012644-bacd9c7ef1dd
github.com/mattn/go-isatty@v0.0.20 github.com/mattn/go-colorable@v0.1.13 github.com/fatih/color@v1.16.0
github.com/hashicorp/go-multierror@v1.1.1 github.com/hashicorp/errwrap@v1.1.0 github.com/hashicorp/hcl@v1.0.0
github.com/mitchellh/mapstructure@v1.5.0 github.com/fsnotify/fsnotify@v1.7.0 github.com/magiconair/properties@v1.8.7
github.com/pelletier/go-toml/v2@v2.1.1 github.com/subosito/gotenv@v1.6.0 github.com/spf13/afero@v1.11.0
github.com/spf13/cast@v1.6.0 github.com/go-playground/validator/v10@v10.18.0 github.com/go-playground/locales@v0.14.1
github.com/go-playground/universal-translator@v0.18.1 github.com/leodido/go-urn@v1.4.0 github.com/ugorji/go/codec@v1.2.12
github.com/bytedance/sonic@v1.11.0 github.com/klauspost/compress@v1.17.7 github.com/valyala/fasthttp@v1.52.0
github.com/docker/docker@v25.0.3+incompatible github.com/opencontainers/go-digest@v1.0.0 k8s.io/client-go@v0.29.2
k8s.io/apimachinery@v0.29.2 k8s.io/api@v0.29.2 k8s.io/klog/v2@v2.120.1 sigs.k8s.io/yaml@v1.4.0
go.opentelemetry.io/otel@v1.24.0 go.opentelemetry.io/otel/trace@v1.24.0 github.com/google/go-cmp@v0.6.0
"""

CRATES = """
serde@1.0.197 serde_derive@1.0.197 serde_json@1.0.114 tokio@1.36.0 tokio-macros@2.2.0 futures@0.3.30
futures-core@0.3.30 futures-util@0.3.30 futures-channel@0.3.30 futures-sink@0.3.30 futures-task@0.3.30
futures-io@0.3.30 futures-executor@0.3.30 futures-macro@0.3.30 pin-project-lite@0.2.13 pin-utils@0.1.0
bytes@1.5.0 mio@0.8.11 libc@0.2.153 socket2@0.5.6 hyper@1.2.0 http@1.1.0 http-body@1.0.0 httparse@1.8.0
h2@0.4.2 tower@0.4.13 tower-service@0.3.2 tower-layer@0.3.2 axum@0.7.4 axum-core@0.4.3 reqwest@0.11.24
url@2.5.0 percent-encoding@2.3.1 form_urlencoded@1.2.1 idna@0.5.0 unicode-bidi@0.3.15 unicode-normalization@0.1.23
tinyvec@1.6.0 tinyvec_macros@0.1.1 rustls@0.22.2 rustls-pemfile@2.1.0 ring@0.17.8 untrusted@0.9.0
webpki-roots@0.26.1 anyhow@1.0.80 thiserror@1.0.57 thiserror-impl@1.0.57 log@0.4.21 env_logger@0.11.2
tracing@0.1.40 tracing-core@0.1.32 tracing-subscriber@0.3.18 tracing-attributes@0.1.27 once_cell@1.19.0
lazy_static@1.4.0 regex@1.10.3 regex-syntax@0.8.2 regex-automata@0.4.5 aho-corasick@1.1.2 memchr@2.7.1
clap@4.5.1 clap_builder@4.5.1 clap_derive@4.5.0 clap_lex@0.7.0 anstream@0.6.13 anstyle@1.0.6 strsim@0.11.0
heck@0.4.1 proc-macro2@1.0.78 quote@1.0.35 syn@2.0.52 unicode-ident@1.0.12 rand@0.8.5 rand_core@0.6.4
rand_chacha@0.3.1 getrandom@0.2.12 cfg-if@1.0.0 ppv-lite86@0.2.17 chrono@0.4.34 num-traits@0.2.18
autocfg@1.1.0 itoa@1.0.10 ryu@1.0.17 base64@0.21.7 hex@0.4.3 sha2@0.10.8 digest@0.10.7 block-buffer@0.10.4
crypto-common@0.1.6 generic-array@0.14.7 typenum@1.17.0 cpufeatures@0.2.12 hmac@0.12.1 uuid@1.7.0
smallvec@1.13.1 indexmap@2.2.3 hashbrown@0.14.3 equivalent@1.0.1 ahash@0.8.10 either@1.10.0 itertools@0.12.1
parking_lot@0.12.1 parking_lot_core@0.9.9 lock_api@0.4.11 scopeguard@1.2.0 crossbeam-channel@0.5.12
crossbeam-utils@0.8.19 crossbeam-epoch@0.9.18 crossbeam-deque@0.8.5 rayon@1.9.0 rayon-core@1.12.1
num_cpus@1.16.0 bitflags@2.4.2 toml@0.8.10 toml_edit@0.22.6 toml_datetime@0.6.5 winnow@0.6.2 serde_spanned@0.6.5
sqlx@0.7.3 diesel@2.1.4 rusqlite@0.31.0 tempfile@3.10.1 fastrand@2.0.1 walkdir@2.5.0 same-file@1.0.6
glob@0.3.1 ignore@0.4.22 globset@0.4.14 bstr@1.9.1 memmap2@0.9.4 flate2@1.0.28 miniz_oxide@0.7.2
adler@1.0.2 crc32fast@1.4.0 zstd@0.13.0 tar@0.4.40 zip@0.6.6 async-trait@0.1.77 tokio-util@0.7.10
tokio-stream@0.1.14 prost@0.12.3 tonic@0.11.0 mime@0.3.17 encoding_rs@0.8.33 time@0.3.34 time-core@0.1.2
"""


def parse_list(text, sep):
    out = []
    for tok in text.split():
        name, _, ver = tok.rpartition(sep) if sep == "@" else tok.partition(sep)
        out.append((name, ver))
    return out


def neighbours(version, rng, n):
    """A few plausible versions of the same line as `version` (itself first)."""
    pre = ""
    core = version
    prefix = ""
    if core.startswith("v"):
        prefix, core = "v", core[1:]
    for cut in ("+", "-"):
        if cut in core and not core.startswith("0.0.0-"):
            core, rest = core.split(cut, 1)
            pre = cut + rest
            break
    if core.startswith("0.0.0-") or pre:
        return [version]
    parts = core.split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return [version]
    out = [version]
    nums = [int(p) for p in parts]
    tries = 0
    while len(out) < n and tries < 40:
        tries += 1
        v = list(nums)
        if len(v) >= 3 and v[2] > 0 and rng.random() < 0.6:
            v[2] = rng.randrange(0, v[2])
        elif v[1] > 0:
            v[1] = rng.randrange(0, v[1])
            if len(v) >= 3:
                v[2] = rng.randrange(0, 8)
        else:
            continue
        s = prefix + ".".join(str(x) for x in v)
        if s not in out:
            out.append(s)
    return out


def fake_hash(*parts, algo="sha512"):
    return hashlib.new(algo, "|".join(parts).encode()).digest()


WORDS = ("billing auth catalog search cart checkout orders payments shipping inventory notify email sms push "
         "users profiles accounts admin reports analytics metrics gateway edge cdn media images video audio docs "
         "wiki chat feed ranking recs ads pricing tax fraud risk kyc ledger wallet loyalty coupons reviews ratings "
         "booking calendar maps geo routing fleet tracking sensors iot telemetry logs audit export import etl "
         "scheduler jobs queue worker cron webhooks oauth sso saml ldap vault secrets config flags experiments").split()


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        r = random.Random(seed + 1)
        self.npm = {n: neighbours(v, r, 4) for n, v in parse_list(NPM, "@")}
        self.pypi = {n: neighbours(v, r, 4) for n, v in parse_list(PYPI, "==")}
        self.go = {n: neighbours(v, r, 3) for n, v in parse_list(GO, "@")}
        self.crates = {n: neighbours(v, r, 3) for n, v in parse_list(CRATES, "@")}
        self.entries = {"npm": 0, "PyPI": 0, "Go": 0, "crates.io": 0}
        self.files = {}
        self.entries_by_file = {}
        self.same_purl_twice = 0
        self.purls = {}  # purl -> the kinds of file (package-lock.json, uv.lock, ...) that hold it

    def pick_version(self, versions):
        # Skewed to the newest: most services are on the current line.
        r = self.rng.random()
        i = 0 if r < 0.55 else min(len(versions) - 1, 1 if r < 0.8 else (2 if r < 0.93 else 3))
        return versions[i]

    def add_purl(self, eco, name, version, kind):
        self.entries[eco] += 1
        self.entries_by_file[kind] = self.entries_by_file.get(kind, 0) + 1
        self.purls.setdefault(purl(eco, name, version), set()).add(kind)

    def count_file(self, kind):
        self.files[kind] = self.files.get(kind, 0) + 1

    def graph(self, chosen, n_direct):
        """Dependency edges over `chosen` (the first n_direct are the project's direct dependencies): every other
        package gets one parent among those before it, so all are reachable from the root, plus a few extra
        edges forward (no cycles)."""
        rng = self.rng
        deps = {c: set() for c in chosen}
        for i in range(n_direct, len(chosen)):
            deps[chosen[rng.randrange(0, i)]].add(chosen[i])
        for i in range(len(chosen) - 1):
            if rng.random() < 0.35:
                deps[chosen[i]].add(chosen[rng.randrange(i + 1, len(chosen))])
        return deps

    @staticmethod
    def reachable(starts, deps):
        seen, stack = set(), list(starts)
        while stack:
            c = stack.pop()
            if c in seen:
                continue
            seen.add(c)
            stack.extend(deps[c])
        return seen

    # -- npm -----------------------------------------------------------------------------------------------------
    def npm_service(self, d, svc, yarn):
        rng = self.rng
        names = sorted(self.npm)
        n = rng.randint(50, 300)
        chosen = rng.sample(names, min(n, len(names)))
        n_direct = rng.randint(8, 25)
        direct = chosen[:n_direct]
        dev_direct = set(d_ for d_ in direct if rng.random() < 0.3)
        deps = self.graph(chosen, n_direct)
        prod = self.reachable([c for c in direct if c not in dev_direct], deps)
        ver = {c: self.pick_version(self.npm[c]) for c in chosen}
        # path -> (name, version, dev, {dependency: range})
        pkgs = {}
        for c in chosen:
            pkgs[f"node_modules/{c}"] = (c, ver[c], c not in prod, {x: "^" + ver[x] for x in sorted(deps[c])})
        # npm's duplicate resolution: a parent needing another version of a package gets its own nested copy.
        for p in chosen:
            for x in sorted(deps[p]):
                other = [v for v in self.npm[x] if v != ver[x]]
                if other and rng.random() < 0.08:
                    v = rng.choice(other)
                    pkgs[f"node_modules/{p}"][3][x] = "^" + v
                    pkgs[f"node_modules/{p}/node_modules/{x}"] = (x, v, p not in prod, {})
        manifest = {"name": f"@acme/{svc}", "version": "1.0.0", "private": True, "dependencies": {},
                    "devDependencies": {}}
        for c in direct:
            (manifest["devDependencies"] if c in dev_direct else manifest["dependencies"])[c] = "^" + ver[c]
        if not manifest["devDependencies"]:
            del manifest["devDependencies"]
        write(d, "package.json", json.dumps(manifest, indent=2) + "\n")
        if yarn:
            write(d, "yarn.lock", self.yarn_lock(pkgs))
            self.count_file("yarn.lock")
        else:
            write(d, "package-lock.json", self.npm_lock(manifest, pkgs))
            self.count_file("package-lock.json")
        # yarn.lock holds one entry per name and version; package-lock.json one per path.
        entries = {(n, v) for n, v, _, _ in pkgs.values()} if yarn else [(n, v) for n, v, _, _ in pkgs.values()]
        for name, v in entries:
            self.add_purl("npm", name, v, "yarn.lock" if yarn else "package-lock.json")
        # The same name@version nested under two parents: two entries of one package-lock, one purl.
        self.same_purl_twice += len(entries) - len(set(entries))

    def npm_lock(self, manifest, pkgs):
        root = {k: manifest[k] for k in ("name", "version", "dependencies", "devDependencies") if k in manifest}
        packages = {"": root}
        for path, (name, ver, dev, deps) in pkgs.items():
            base = name.rsplit("/", 1)[-1]
            e = {
                "version": ver,
                "resolved": f"https://registry.npmjs.org/{name}/-/{base}-{ver}.tgz",
                "integrity": "sha512-" + base64.b64encode(fake_hash("npm", name, ver)).decode(),
            }
            if dev:
                e["dev"] = True
            if deps:
                e["dependencies"] = dict(deps)
            if self.rng.random() < 0.5:
                e["license"] = self.rng.choice(("MIT", "MIT", "ISC", "Apache-2.0", "BSD-3-Clause"))
            if self.rng.random() < 0.2:
                e["engines"] = {"node": ">=" + self.rng.choice(("12", "14", "16", "18"))}
            packages[path] = e
        lock = {"name": manifest["name"], "version": manifest["version"], "lockfileVersion": 3,
                "requires": True, "packages": packages}
        return json.dumps(lock, indent=2) + "\n"

    def yarn_lock(self, pkgs):
        out = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.", "# yarn lockfile v1", ""]
        seen = set()
        for name, ver, _, deps in sorted(pkgs.values(), key=lambda p: (p[0], p[1])):
            if (name, ver) in seen:
                continue
            seen.add((name, ver))
            base = name.rsplit("/", 1)[-1]
            key = f'"{name}@^{ver}"' if name.startswith("@") else f"{name}@^{ver}"
            out.append("")
            out.append(f"{key}:")
            out.append(f'  version "{ver}"')
            out.append(f'  resolved "https://registry.yarnpkg.com/{name}/-/{base}-{ver}.tgz#'
                       f'{hashlib.sha1((name + ver).encode()).hexdigest()}"')
            out.append("  integrity sha512-" + base64.b64encode(fake_hash("npm", name, ver)).decode())
            if deps:
                out.append("  dependencies:")
                for dn, rng_ in deps.items():
                    q = f'"{dn}"' if dn.startswith("@") else dn
                    out.append(f'    {q} "{rng_}"')
        return "\n".join(out) + "\n"

    # -- Python --------------------------------------------------------------------------------------------------
    def python_service(self, d, svc, kind):
        rng = self.rng
        names = sorted(self.pypi)
        n = rng.randint(20, 110)
        chosen = rng.sample(names, min(n, len(names)))
        pins = [(name, self.pick_version(self.pypi[name])) for name in chosen]
        n_direct = rng.randint(5, 15)
        direct = pins[:n_direct]
        graph = self.graph(chosen, n_direct)
        dev = set(name for name, _ in direct if name in ("pytest", "black", "mypy", "ruff", "flake8", "isort",
                                                          "coverage", "pytest-cov", "pylint", "tox", "mock"))
        if kind == "requirements":
            lines = ["#", "# This file is autogenerated by pip-compile with Python 3.11", "#",
                     "#    pip-compile requirements.in", "#"]
            for name, ver in sorted(pins):
                lines.append(f"{name}=={ver}")
                lines.append(f"    # via -r requirements.in" if (name, ver) in direct else
                             f"    # via {rng.choice(chosen)}")
            write(d, "requirements.txt", "\n".join(lines) + "\n")
            self.count_file("requirements.txt")
        elif kind == "poetry":
            pyproject = ["[tool.poetry]", f'name = "{svc}"', 'version = "0.1.0"', 'description = ""',
                         'authors = ["Acme <dev@example.com>"]', "", "[tool.poetry.dependencies]",
                         'python = "^3.11"']
            for name, ver in direct:
                if name not in dev:
                    pyproject.append(f'{name} = "^{ver}"')
            if dev & {n for n, _ in direct}:
                pyproject += ["", "[tool.poetry.group.dev.dependencies]"]
                for name, ver in direct:
                    if name in dev:
                        pyproject.append(f'{name} = "^{ver}"')
            pyproject += ["", "[build-system]", 'requires = ["poetry-core"]',
                          'build-backend = "poetry.core.masonry.api"']
            write(d, "pyproject.toml", "\n".join(pyproject) + "\n")
            out = []
            ver_of = dict(pins)
            for name, ver in sorted(pins):
                h = hashlib.sha256((name + ver).encode()).hexdigest()
                fn = name.replace("-", "_")
                out += ["[[package]]", f'name = "{name}"', f'version = "{ver}"',
                        f'description = "{name} for Python"', "optional = false", 'python-versions = ">=3.8"',
                        "files = [", f'    {{file = "{fn}-{ver}-py3-none-any.whl", hash = "sha256:{h}"}},',
                        f'    {{file = "{fn}-{ver}.tar.gz", hash = "sha256:{h[::-1]}"}},', "]", ""]
                deps = sorted(graph[name])
                if deps:
                    out.append("[package.dependencies]")
                    for dn in deps:
                        out.append(f'{dn} = ">={ver_of[dn]}"')
                    out.append("")
            out += ["[metadata]", 'lock-version = "2.0"', 'python-versions = "^3.11"',
                    f'content-hash = "{hashlib.sha256(svc.encode()).hexdigest()}"']
            write(d, "poetry.lock", "\n".join(out) + "\n")
            self.count_file("poetry.lock")
        else:  # uv
            pyproject = ["[project]", f'name = "{svc}"', 'version = "0.1.0"', 'requires-python = ">=3.11"',
                         "dependencies = ["]
            for name, ver in direct:
                if name not in dev:
                    pyproject.append(f'    "{name}>={ver}",')
            pyproject.append("]")
            if dev & {n for n, _ in direct}:
                pyproject += ["", "[dependency-groups]", "dev = ["]
                for name, ver in direct:
                    if name in dev:
                        pyproject.append(f'    "{name}>={ver}",')
                pyproject.append("]")
            write(d, "pyproject.toml", "\n".join(pyproject) + "\n")
            out = ["version = 1", 'requires-python = ">=3.11"', ""]
            out += ["[[package]]", f'name = "{svc}"', 'version = "0.1.0"', 'source = { editable = "." }',
                    "dependencies = ["]
            for name, _ in direct:
                if name not in dev:
                    out.append(f'    {{ name = "{name}" }},')
            out.append("]")
            if dev & {n for n, _ in direct}:
                out += ["", "[package.dev-dependencies]", "dev = ["]
                for name, _ in direct:
                    if name in dev:
                        out.append(f'    {{ name = "{name}" }},')
                out.append("]")
            out.append("")
            for name, ver in sorted(pins):
                h = hashlib.sha256((name + ver).encode()).hexdigest()
                fn = name.replace("-", "_")
                out += ["[[package]]", f'name = "{name}"', f'version = "{ver}"',
                        'source = { registry = "https://pypi.org/simple" }']
                deps = sorted(graph[name])
                if deps:
                    out.append("dependencies = [")
                    for dn in deps:
                        out.append(f'    {{ name = "{dn}" }},')
                    out.append("]")
                out.append(f'sdist = {{ url = "https://files.pythonhosted.org/packages/{h[:2]}/{h[2:4]}/{h[4:]}'
                           f'/{fn}-{ver}.tar.gz", hash = "sha256:{h}", size = {1000 + int(h[:4], 16)} }}')
                out.append("wheels = [")
                out.append(f'    {{ url = "https://files.pythonhosted.org/packages/{h[4:6]}/{h[6:8]}/{h[8:]}'
                           f'/{fn}-{ver}-py3-none-any.whl", hash = "sha256:{h[::-1]}", size = {900 + int(h[4:8], 16)} }},')
                out.append("]")
                out.append("")
            write(d, "uv.lock", "\n".join(out))
            self.count_file("uv.lock")
        for name, ver in pins:
            self.add_purl("PyPI", name, ver, {"requirements": "requirements.txt", "poetry": "poetry.lock",
                                              "uv": "uv.lock"}[kind])

    # -- Go -------------------------------------------------------------------------------------------------------
    def go_service(self, d, svc):
        rng = self.rng
        names = sorted(self.go)
        n = rng.randint(15, 70)
        chosen = rng.sample(names, min(n, len(names)))
        mods = [(m, self.pick_version(self.go[m])) for m in chosen]
        nd = rng.randint(4, 12)
        out = [f"module github.com/acme/{svc}", "", "go 1.22", "", "require ("]
        for m, v in sorted(mods[:nd]):
            out.append(f"\t{m} {v}")
        out += [")", "", "require ("]
        for m, v in sorted(mods[nd:]):
            out.append(f"\t{m} {v} // indirect")
        out.append(")")
        write(d, "go.mod", "\n".join(out) + "\n")
        self.count_file("go.mod")
        for m, v in mods:
            self.add_purl("Go", m, v, "go.mod")

    # -- Rust -----------------------------------------------------------------------------------------------------
    def cargo_service(self, d, svc):
        rng = self.rng
        names = sorted(self.crates)
        n = rng.randint(30, 180)
        chosen = rng.sample(names, min(n, len(names)))
        crates = [(c, self.pick_version(self.crates[c])) for c in chosen]
        nd = rng.randint(4, 12)
        graph = self.graph(chosen, nd)
        toml = ["[package]", f'name = "{svc.replace("-", "_")}"', 'version = "0.1.0"', 'edition = "2021"', "",
                "[dependencies]"]
        for c, v in crates[:nd]:
            toml.append(f'{c} = "{v}"')
        write(d, "Cargo.toml", "\n".join(toml) + "\n")
        out = ["# This file is automatically @generated by Cargo.", "# It is not intended for manual editing.",
               "version = 3", ""]
        allpk = [(svc.replace("-", "_"), "0.1.0", None, sorted(c for c, _ in crates[:nd]))]
        for c, v in crates:
            allpk.append((c, v, "registry+https://github.com/rust-lang/crates.io-index",
                          sorted(graph[c])))
        for name, ver, src, deps in sorted(allpk):
            out += ["[[package]]", f'name = "{name}"', f'version = "{ver}"']
            if src:
                out.append(f'source = "{src}"')
                out.append(f'checksum = "{hashlib.sha256((name + ver).encode()).hexdigest()}"')
            if deps:
                out.append("dependencies = [")
                for dn in deps:
                    out.append(f' "{dn}",')
                out.append("]")
            out.append("")
        write(d, "Cargo.lock", "\n".join(out))
        self.count_file("Cargo.lock")
        for c, v in crates:
            self.add_purl("crates.io", c, v, "Cargo.lock")


def purl(eco, name, version):
    """The purl as both tools should spell it, normalised the way bench.py compares them."""
    if eco == "npm":
        return f"pkg:npm/{name}@{version}"
    if eco == "PyPI":
        import re
        return f"pkg:pypi/{re.sub(r'[-_.]+', '-', name).lower()}@{version}"
    if eco == "Go":
        return f"pkg:golang/{name}@{version}"
    if eco == "crates.io":
        return f"pkg:cargo/{name}@{version}"
    raise ValueError(eco)


def generator_hash():
    """Identifies this generator's code: a tree made by another version is made again."""
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def write(d, name, text):
    with open(os.path.join(d, name), "w", encoding="utf-8") as f:
        f.write(text)


def generate(out, services=200, seed=12):
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    g = Gen(seed)
    rng = g.rng
    words = list(WORDS)
    for i in range(1, services + 1):
        svc = f"svc-{i:03d}-{words[(i * 7) % len(words)]}"
        d = os.path.join(out, "services", svc)
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write(f"# {svc}\n")
        g.npm_service(d, svc, yarn=(i % 10 == 0))
        r = rng.random()
        if r < 0.8:
            g.python_service(d, svc, ("poetry", "uv", "requirements")[i % 3])
        if rng.random() < 0.3:
            g.go_service(d, svc)
        if rng.random() < 0.25:
            g.cargo_service(d, svc)
    expected = {
        "generator": generator_hash(),
        "seed": seed,
        "services": services,
        "entries": g.entries,
        "entries_total": sum(g.entries.values()),
        "files": g.files,
        "entries_by_file": g.entries_by_file,
        "same_purl_twice_in_a_file": g.same_purl_twice,
        "purls": sorted(g.purls),
        "purl_files": {p: sorted(k) for p, k in sorted(g.purls.items())},
    }
    with open(out.rstrip("/") + ".expected.json", "w") as f:
        json.dump(expected, f, indent=1)
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--seed", type=int, default=12)
    a = ap.parse_args()
    e = generate(a.out, a.services, a.seed)
    print(f"{a.out}: {a.services} services, {e['entries_total']} lockfile entries {e['entries']}, "
          f"{len(e['purls'])} distinct purls, files {e['files']}")


if __name__ == "__main__":
    sys.exit(main())
