import { describe, expectTypeOf, it } from 'vitest';
import {
  AbortError,
  ApiResultError,
  AuthenticationError,
  BusinessError,
  ImzalaError,
  KuveytTurk,
  NetworkError,
  Onaylarim,
  RateLimitError,
  ScopeError,
  SignatureError,
  signRequest,
  type Account,
  type AccountActivity,
  type BusinessResult,
  type FxRate,
  type MobileSigned,
  type OperationStatus,
  type SignatureInfo,
  type TokenSet,
  type TokenStore,
  type UploadProgress,
  type UploadResult,
} from '../../src/sdk/index.js';

// Type-level tests of the public API: they fail at `tsc --noEmit` (and in vitest's typecheck) when it drifts.
describe('public types', () => {
  it('KuveytTurk: constructor options and resource return types', () => {
    type Options = ConstructorParameters<typeof KuveytTurk>[0];
    expectTypeOf<Options>().toHaveProperty('clientId').toEqualTypeOf<string>();
    expectTypeOf<Options['environment']>().toEqualTypeOf<'sandbox' | 'test' | 'production' | undefined>();
    expectTypeOf<Options['baseUrls']>().toEqualTypeOf<{ identity: string; gateway: string } | string | undefined>();
    expectTypeOf<KuveytTurk['accounts']['list']>().returns.resolves.toEqualTypeOf<Account[]>();
    expectTypeOf<KuveytTurk['accounts']['get']>().returns.resolves.toEqualTypeOf<Account>();
    expectTypeOf<KuveytTurk['accounts']['iterateTransactions']>().returns.toEqualTypeOf<AsyncGenerator<AccountActivity, void, undefined>>();
    expectTypeOf<KuveytTurk['fx']['rates']>().returns.resolves.toEqualTypeOf<FxRate[]>();
    expectTypeOf<KuveytTurk['moneyTransfer']['outgoing']>().parameter(0).toHaveProperty('receiverIban').toEqualTypeOf<string>();
    expectTypeOf<KuveytTurk['oauth']['clientToken']>().returns.resolves.toEqualTypeOf<TokenSet>();
    expectTypeOf<KuveytTurk['customer']>().returns.toHaveProperty('accounts');
    expectTypeOf<Account['suffix']>().toEqualTypeOf<number>();
  });

  it('signRequest takes a body or a query and returns the header value', () => {
    expectTypeOf(signRequest).parameter(0).toHaveProperty('token').toEqualTypeOf<string>();
    expectTypeOf(signRequest).returns.toEqualTypeOf<string>();
  });

  it('a TokenStore is three async methods', () => {
    expectTypeOf<TokenStore['get']>().returns.resolves.toEqualTypeOf<TokenSet | undefined>();
    expectTypeOf<TokenStore['set']>().parameters.toEqualTypeOf<[string, TokenSet]>();
  });

  it('Onaylarim: uploads, signing and status', () => {
    expectTypeOf<Onaylarim['files']['upload']>().returns.resolves.toEqualTypeOf<UploadResult>();
    expectTypeOf<NonNullable<Parameters<Onaylarim['files']['upload']>[1]>['onProgress']>().toEqualTypeOf<((p: UploadProgress) => void) | undefined>();
    expectTypeOf<Onaylarim['signMobile']>().returns.resolves.toEqualTypeOf<MobileSigned>();
    expectTypeOf<Parameters<Onaylarim['xadesMobile']['signStepOne']>[0]['operator']>().toEqualTypeOf<'TURKCELL' | 'VODAFONE' | 'AVEA'>();
    expectTypeOf<Onaylarim['operations']['status']>().returns.resolves.toEqualTypeOf<OperationStatus>();
    expectTypeOf<Onaylarim['fingerprint']['get']>().returns.resolves.toEqualTypeOf<string>();
    expectTypeOf<Onaylarim['xades']['signatureList']>().returns.resolves.toEqualTypeOf<SignatureInfo[]>();
  });

  it('every error family extends ImzalaError and carries its own fields', () => {
    expectTypeOf<AuthenticationError>().toExtend<ImzalaError>();
    expectTypeOf<SignatureError>().toExtend<ImzalaError>();
    expectTypeOf<ScopeError>().toExtend<ImzalaError>();
    expectTypeOf<RateLimitError>().toExtend<ImzalaError>();
    expectTypeOf<BusinessError>().toExtend<ImzalaError>();
    expectTypeOf<ApiResultError>().toExtend<ImzalaError>();
    expectTypeOf<NetworkError>().toExtend<ImzalaError>();
    expectTypeOf<AbortError>().toExtend<ImzalaError>();
    expectTypeOf<AuthenticationError['code']>().toEqualTypeOf<'ERR_AUTHENTICATION'>();
    expectTypeOf<ImzalaError['status']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ImzalaError['referenceId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SignatureError['hint']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RateLimitError['retryAfter']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<BusinessError['results']>().toEqualTypeOf<readonly BusinessResult[]>();
    expectTypeOf<NetworkError['sent']>().toEqualTypeOf<boolean>();
  });
});
