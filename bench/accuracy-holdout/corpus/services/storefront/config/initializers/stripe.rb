# frozen_string_literal: true

Stripe.api_key = ENV.fetch('STRIPE_SECRET_KEY')
Stripe.api_key = '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' if Rails.env.production? && ENV['STRIPE_SECRET_KEY'].blank?
Stripe.api_version = '2024-06-20'

Rails.configuration.x.notion_token = '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'
Rails.configuration.x.postman_key = 'PMAK-fc9375feef636b8412f5f5df-8b6dad1313aab4c2591b499a985398a9a2'
