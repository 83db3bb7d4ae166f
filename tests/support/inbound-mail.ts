// An inbound message as Cloudflare Email Routing hands it to the worker's
// email() handler: the raw bytes (line ends made CRLF, as on the wire), the
// envelope sender, and a setReject() that records what the worker refused.
export const INBOUND_TO = "subscribe@digest.example.test";

export function inboundMessage(raw: string, envelopeFrom: string, rawSize?: number): { forwardable: ForwardableEmailMessage; rejections: string[] } {
  const bytes = new TextEncoder().encode(raw.replace(/\r?\n/g, "\r\n"));
  const rejections: string[] = [];
  const forwardable = {
    from: envelopeFrom,
    to: INBOUND_TO,
    headers: new Headers(),
    raw: new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    }),
    rawSize: rawSize ?? bytes.byteLength,
    setReject(reason: string) {
      rejections.push(reason);
    },
    forward: async () => ({ messageId: "x" }),
    reply: async () => ({ messageId: "x" }),
  } as unknown as ForwardableEmailMessage;
  return { forwardable, rejections };
}
