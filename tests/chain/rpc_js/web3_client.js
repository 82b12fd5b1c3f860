// Drives a reev validator with @solana/web3.js (v1) and @solana/spl-token.
// Usage: node web3_client.js <http url> <ws url> <json: {user_secret, mint}>
// Prints one JSON line with what it observed; exits non-zero on any failure.
const {
  Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction,
  sendAndConfirmTransaction,
} = require("@solana/web3.js");
const { TOKEN_PROGRAM_ID, getAssociatedTokenAddressSync, createTransferCheckedInstruction } =
  require("@solana/spl-token");

async function main() {
  const [url, wsEndpoint, argsJson] = process.argv.slice(2);
  const args = JSON.parse(argsJson);
  const connection = new Connection(url, { commitment: "confirmed", wsEndpoint });
  const out = {};

  const payer = Keypair.generate();
  const sig = await connection.requestAirdrop(payer.publicKey, 2 * LAMPORTS_PER_SOL);
  const latest = await connection.getLatestBlockhash();
  await connection.confirmTransaction({ signature: sig, ...latest });
  out.airdropBalance = await connection.getBalance(payer.publicKey);

  const to = Keypair.generate().publicKey;
  const tx = new Transaction().add(
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: LAMPORTS_PER_SOL / 4 }),
  );
  out.transferSignature = await sendAndConfirmTransaction(connection, tx, [payer]);
  out.recipientBalance = await connection.getBalance(to);
  out.payerBalance = await connection.getBalance(payer.publicKey);
  const status = await connection.getSignatureStatus(out.transferSignature);
  out.transferStatus = status.value && status.value.confirmationStatus;

  // Token side: the benchmark's user sends 1.5 tokens to a fresh owner's ATA (created by cheat code).
  const user = Keypair.fromSecretKey(Uint8Array.from(args.user_secret));
  const mint = new PublicKey(args.mint);
  const parsed = await connection.getParsedTokenAccountsByOwner(user.publicKey, { mint });
  out.userTokenAccounts = parsed.value.map((a) => ({
    pubkey: a.pubkey.toBase58(),
    amount: a.account.data.parsed.info.tokenAmount.amount,
    uiAmount: a.account.data.parsed.info.tokenAmount.uiAmount,
    program: a.account.data.program,
  }));
  const byProgram = await connection.getParsedTokenAccountsByOwner(user.publicKey, { programId: TOKEN_PROGRAM_ID });
  out.userTokenAccountsByProgram = byProgram.value.length;
  const source = getAssociatedTokenAddressSync(mint, user.publicKey);
  const friend = Keypair.generate().publicKey;
  const dest = getAssociatedTokenAddressSync(mint, friend);
  const cheat = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "surfnet_setTokenAccount",
      params: [friend.toBase58(), mint.toBase58(), { amount: 0 }, TOKEN_PROGRAM_ID.toBase58()] }),
  }).then((r) => r.json());
  out.cheatError = cheat.error || null;
  const decimals = parsed.value[0].account.data.parsed.info.tokenAmount.decimals;
  const tokenTx = new Transaction().add(
    createTransferCheckedInstruction(source, mint, dest, user.publicKey, 1_500_000, decimals),
  );
  out.tokenSignature = await sendAndConfirmTransaction(connection, tokenTx, [user]);
  const destBalance = await connection.getTokenAccountBalance(dest);
  out.friendTokenAmount = destBalance.value.amount;
  const friendParsed = await connection.getParsedTokenAccountsByOwner(friend, { mint });
  out.friendParsedUiAmount = friendParsed.value[0].account.data.parsed.info.tokenAmount.uiAmountString;

  console.log(JSON.stringify(out));
  process.exit(0); // the websocket keeps the event loop alive otherwise
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
