import { createECDH, createPublicKey, hkdfSync, randomBytes, createDecipheriv, verify } from "node:crypto";

/**
 * What a browser holds for a Web Push subscription: an ECDH P-256 key pair and a 16-byte auth
 * secret (RFC 8291 §2), and what it does with a message: decrypt the aes128gcm body (RFC 8188)
 * with them. Written from the RFCs with node:crypto, nothing from web-push.
 */
export const createBrowserKeys = () => {
  const ecdh = createECDH("prime256v1");
  const publicKey = ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    p256dh: publicKey.toString("base64url"),
    auth: auth.toString("base64url"),
    /** RFC 8291 §3.4 + RFC 8188 §2: one record, as a push service delivers it. */
    decrypt: (body: Buffer): string => {
      const salt = body.subarray(0, 16);
      const recordSize = body.readUInt32BE(16);
      const idLength = body.readUInt8(20);
      const serverKey = body.subarray(21, 21 + idLength);
      const record = body.subarray(21 + idLength);
      if (idLength !== 65 || record.length > recordSize) throw new Error(`unexpected aes128gcm header (keyid ${idLength} bytes, record ${record.length} of ${recordSize})`);
      const shared = ecdh.computeSecret(serverKey);
      const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), publicKey, serverKey]);
      const ikm = Buffer.from(hkdfSync("sha256", shared, auth, keyInfo, 32));
      const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
      const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
      const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
      // The last record ends with the delimiter 0x02, then zero padding (RFC 8188 §2).
      let end = padded.length - 1;
      while (end >= 0 && padded[end] === 0) end -= 1;
      if (padded[end] !== 2) throw new Error("no last-record delimiter");
      return padded.subarray(0, end).toString("utf8");
    },
  };
};

export type BrowserKeys = ReturnType<typeof createBrowserKeys>;

/** RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT's ES256 signature verifies with k. Returns the claims. */
export const checkVapid = (header: string | undefined, expectedKey: string) => {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? "");
  if (!match?.[1] || !match[2]) throw new Error(`not a VAPID Authorization header: ${header}`);
  const [jwt, key] = [match[1], match[2]];
  if (key !== expectedKey) throw new Error("k is not the deployment's public key");
  const [head = "", claims = "", signature = ""] = jwt.split(".");
  const raw = Buffer.from(key, "base64url");
  const publicKey = createPublicKey({
    format: "jwk",
    key: { kty: "EC", crv: "P-256", x: raw.subarray(1, 33).toString("base64url"), y: raw.subarray(33, 65).toString("base64url") },
  });
  const ok = verify("sha256", Buffer.from(`${head}.${claims}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  if (!ok) throw new Error("the VAPID JWT signature does not verify");
  const header64 = JSON.parse(Buffer.from(head, "base64url").toString()) as { alg?: string };
  if (header64.alg !== "ES256") throw new Error(`JWT alg ${header64.alg}`);
  return JSON.parse(Buffer.from(claims, "base64url").toString()) as { aud: string; exp: number; sub: string };
};
