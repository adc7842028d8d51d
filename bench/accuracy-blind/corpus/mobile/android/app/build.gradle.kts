import java.util.Properties

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("com.google.gms.google-services")
    id("io.sentry.android.gradle") version "4.14.1"
}

val keystoreProps = Properties().apply {
    val f = rootProject.file("keystore.properties")
    if (f.exists()) load(f.inputStream())
}

android {
    namespace = "app.trailmate.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "app.trailmate.android"
        minSdk = 26
        targetSdk = 35
        versionCode = 412
        versionName = "4.12.0"
        buildConfigField("String", "OPENWEATHER_API_KEY", "\"f718e1c05f472880d5f132b4302492f8\"")
        buildConfigField("String", "API_BASE_URL", "\"https://api.trailmate.app\"")
    }
    signingConfigs {
        create("release") {
            storeFile = file(keystoreProps["storeFile"] as String)
            storePassword = keystoreProps["storePassword"] as String
            keyAlias = keystoreProps["keyAlias"] as String
            keyPassword = keystoreProps["keyPassword"] as String
        }
    }
}
