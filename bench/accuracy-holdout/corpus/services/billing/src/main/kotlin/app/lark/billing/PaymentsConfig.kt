package app.lark.billing

import org.springframework.context.annotation.Configuration

@Configuration
class PaymentsConfig {
    companion object {
        private const val BRAINTREE_PRIVATE_KEY = "9880640bcd1cb2b9725528dd001764c0"
        private const val BRAINTREE_MERCHANT_ID = "qo55stieynlfw52w"
        const val BUILD_SHA = "7a71e97300ab4ae0f562a51bb2fe28f3e087aebc"
        const val SCHEMA_CHECKSUM = "f7f6ed68939920cd376c72cf198797c2e106fa59619d101fbcd6bb8dc0d6e3a3"
        private const val SHOPIFY_ADMIN_TOKEN = "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"
    }

    fun webhookSecret(): String = System.getenv("BILLING_WEBHOOK_SECRET") ?: error("missing")
}
