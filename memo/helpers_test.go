package memo

import "crypto/ed25519"

func mustSign(s *Signer, msg []byte) []byte { return ed25519.Sign(s.priv, msg) }
