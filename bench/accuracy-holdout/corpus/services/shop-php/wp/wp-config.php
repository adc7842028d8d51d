<?php
/** WordPress base configuration (blog.larkspur.app) */
define( 'DB_NAME', 'wp_blog' );
define( 'DB_USER', 'wp_blog' );
define( 'DB_PASSWORD', 'ESzeBT6AnpSWJ*50' );
define( 'DB_HOST', 'blog-db.lark.internal' );

define( 'AUTH_KEY',         'f<b~`%BcU`3.mC5@-Qymsl/`aiEho)_zj+I9.l{v,Q~S<5:9|0k&CpsWy+7TK>Go' );
define( 'SECURE_AUTH_KEY',  '&/[{N=Jh&e8hJE5OQ88(j8<hZ-g@hKBn^DB$[tpA+tjzeb=N}=t?_{WN77qNNAn+' );
define( 'LOGGED_IN_KEY',    '8,C+X*2<r>fMRMm4;~@`zMLMSm|XO@x-W/8$6#TVl=K8Pwk&lN[2-_HRFsv3o>Ll' );
define( 'NONCE_KEY',        'put your unique phrase here' );
$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
require_once ABSPATH . 'wp-settings.php';
