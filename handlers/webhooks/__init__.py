"""Inbound webhooks on ``sopbot serve``'s HTTP server: signed deliveries verified, recorded
durably in the inbox and answered at once; the inbox's worker starts the SOPs they trigger."""
