// Preloaded into the peer server (node --import): binds every listen(port) to 127.0.0.1
// and prints the port actually bound, so the peer can use port 0 like our tests do.
import http from 'node:http';

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function patchedListen(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const callback = args.find((a) => typeof a === 'function');
    this.once('listening', () => process.stderr.write(`LOOPBACK_PORT ${this.address().port}\n`));
    return listen.call(this, { port: Number(args[0]), host: '127.0.0.1' }, callback);
  }
  return listen.apply(this, args);
};
