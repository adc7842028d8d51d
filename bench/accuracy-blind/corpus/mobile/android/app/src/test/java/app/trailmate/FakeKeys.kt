package app.trailmate

object FakeKeys {
    const val MAPBOX = "pk.eyJ1IjoidGVzdCIsImEiOiJ0ZXN0In0.test-signature"
    const val REVENUECAT = "goog_TESTTESTTESTTESTTESTTEST"
    const val SENTRY_TOKEN = "sntrys_not_a_real_token"
}
