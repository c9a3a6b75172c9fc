package dev.homelab.events.audit;

/** The newest digest of a node's chain: its sequence number, date and the SHA-256 of its file. */
record ChainHead(long sequence, String date, String sha256) {
}
