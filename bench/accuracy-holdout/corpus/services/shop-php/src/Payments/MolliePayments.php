<?php
namespace Lark\Shop\Payments;

final class MolliePayments
{
    private const API_KEY = 'live_zQHklplZuetbPNEKTDfhmdTBkE0Zhn';
    private const TEST_KEY_PLACEHOLDER = 'test_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';

    public function client(): \Mollie\Api\MollieApiClient
    {
        $c = new \Mollie\Api\MollieApiClient();
        $c->setApiKey(getenv('MOLLIE_API_KEY') ?: self::API_KEY);
        return $c;
    }
}
