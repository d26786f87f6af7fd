"""Optional card payments for remote starts: a hold on the card before the start, the real cost captured at the
stop (payments/flow.py), behind a small interface of our own (provider.py) with Stripe as its one implementation."""
