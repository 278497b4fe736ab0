import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Role, scopeProblem } from './principal';

/**
 * The OAuth client registry: one entry per ward system, user or operator tool, with the scrypt
 * hash of its secret (never the secret), its role and its scope. It is a secret file mounted
 * into the token issuer only (AUTH_CLIENTS_FILE); adding or revoking a client is an edit of
 * that file and a restart (docs/security.md).
 */
export const ClientEntry = z
  .strictObject({
    clientId: z.string().regex(/^[A-Za-z0-9._-]{3,100}$/),
    secretHash: z.string().startsWith('scrypt$'),
    role: Role,
    facility: z
      .string()
      .regex(/^\d{5}$/)
      .optional(),
    province: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
    disabled: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const problem = scopeProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', path: ['role'], message: problem });
  });
export type ClientEntry = z.infer<typeof ClientEntry>;

export const ClientRegistryFile = z.object({
  $comment: z.string().optional(),
  clients: z.array(ClientEntry),
});

export class ClientRegistry {
  private readonly byId: Map<string, ClientEntry>;
  constructor(clients: ClientEntry[]) {
    this.byId = new Map(clients.map((c) => [c.clientId, c]));
    if (this.byId.size !== clients.length) throw new Error('client registry: duplicate clientId');
  }
  get(clientId: string): ClientEntry | undefined {
    const c = this.byId.get(clientId);
    return c && !c.disabled ? c : undefined;
  }
  get size(): number {
    return this.byId.size;
  }
}

export function loadClientRegistry(file: string): ClientRegistry {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error('AUTH_CLIENTS_FILE: cannot read the client registry (JSON)');
  }
  const parsed = ClientRegistryFile.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `AUTH_CLIENTS_FILE: invalid client registry: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return new ClientRegistry(parsed.data.clients);
}
