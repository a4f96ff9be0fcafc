import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { authApi } from './api.js';

/** Register a passkey for the signed-in (or enrolling) user; the recovery codes when the server issued some. */
export async function registerPasskey(name: string): Promise<string[] | null> {
  const options = await authApi.registerOptions();
  const optionsJSON = (('optionsJSON' in options ? options.optionsJSON : options) ?? options) as Parameters<typeof startRegistration>[0]['optionsJSON'];
  const response = await startRegistration({ optionsJSON });
  return (await authApi.registerVerify(response, name)).recoveryCodes;
}

/** Answer the MFA challenge with a passkey. */
export async function authenticateWithPasskey() {
  const options = await authApi.mfaWebauthnOptions();
  const optionsJSON = (('optionsJSON' in options ? options.optionsJSON : options) ?? options) as Parameters<typeof startAuthentication>[0]['optionsJSON'];
  const response = await startAuthentication({ optionsJSON });
  return authApi.mfaWebauthnVerify(response);
}
