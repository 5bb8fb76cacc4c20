/**
 * What the identity server needs from the bank: who its customers are. The banking part implements it.
 */
export interface BankCustomer {
  customerNo: string;
  name: string;
  corporate: boolean;
  /** Where the sandbox "SMS" one-time code goes; shown on the sandbox login page instead of being sent. */
  phoneNumber: string;
}

export interface CustomerDirectory {
  find(customerNo: string): Promise<BankCustomer | null>;
  /** The customer when the password is right, else null; the same answer time for an unknown customer. */
  authenticate(customerNo: string, password: string): Promise<BankCustomer | null>;
  /** The first seeded corporate customer: the default owner of a new application. */
  defaultCorporate(): Promise<BankCustomer>;
}
