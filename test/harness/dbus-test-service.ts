// The service the generic dbus plugin's tests manage: org.opdbus.Test1 at /org/opdbus/Test with
// writable properties of several D-Bus types and one read-only property. Run: node THIS ADDRESS.
import * as dbus from 'dbus-next';

class TestInterface extends dbus.interface.Interface {
  private name = 'initial';
  private count = 7;
  private labels: Record<string, dbus.Variant> = { zone: new dbus.Variant('s', 'a'), weight: new dbus.Variant('i', 3) };
  private tags = ['x'];
  private peer = '/org/opdbus/Peer';
  private big = 2n ** 60n;

  get Name() { return this.name; }
  set Name(v: string) { this.name = v; }
  get Count() { return this.count; }
  set Count(v: number) { this.count = v; }
  get Labels() { return this.labels; }
  set Labels(v: Record<string, dbus.Variant>) { this.labels = v; }
  get Tags() { return this.tags; }
  set Tags(v: string[]) { this.tags = v; }
  get Peer() { return this.peer; }
  set Peer(v: string) { this.peer = v; }
  get Big() { return this.big; }
  set Big(v: bigint) { this.big = v; }
  get Version() { return '1.0'; }
}

TestInterface.configureMembers({
  properties: {
    Name: { signature: 's', access: 'readwrite' },
    Count: { signature: 'u', access: 'readwrite' },
    Labels: { signature: 'a{sv}', access: 'readwrite' },
    Tags: { signature: 'as', access: 'readwrite' },
    Peer: { signature: 'o', access: 'readwrite' },
    Big: { signature: 't', access: 'readwrite' },
    Version: { signature: 's', access: 'read' },
  },
});

async function main(): Promise<void> {
  const bus = dbus.sessionBus({ busAddress: process.argv[2] });
  bus.export('/org/opdbus/Test', new TestInterface('org.opdbus.Test1'));
  await bus.requestName('org.opdbus.Test', 0);
  process.stdout.write('ready\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
