// Prints "Hello Docker" and exits: the smoke check compares output and exit code.
public class Hello {
    public static void main(String[] args) {
        System.out.println("Hello Docker");
    }
}
